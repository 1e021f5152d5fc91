/**
 * Adoption and allocation: the top-k eligible agents by predicted score, kept only when the prediction is positive,
 * weighted in proportion to it, or (covariance) by mean-variance weights w ~ S^-1 mu with S the adopted agents'
 * reward covariance shrunk towards its diagonal and mu = predicted Sharpe x volatility, clipped at 0 and normalised.
 * Nobody positive: every weight 0, the book goes to cash.
 */
import type { ContestAllocation } from '@arena/core';
import { choleskySolve } from './linalg.ts';

export interface AllocationInput {
  /** shrunk predicted per-bar Sharpe per agent */
  readonly predicted: Float64Array;
  /** 1 when the agent may be adopted (enough windows, a fitted model) */
  readonly eligible: Uint8Array;
  readonly topK: number;
  readonly allocation: ContestAllocation;
  readonly covShrink: number;
  /** recent per-bar rewards, [bar * agents + agent], `bars` rows (covariance only) */
  readonly history?: { readonly rewards: Float64Array; readonly bars: number };
}

/** Indices of the adopted agents (best first) and their weights written into `weights` (zero elsewhere). */
export function allocate(input: AllocationInput, weights: Float64Array): number[] {
  const { predicted, eligible, topK } = input;
  const N = predicted.length;
  weights.fill(0);
  const ranked: number[] = [];
  for (let i = 0; i < N; i++) if (eligible[i] === 1 && predicted[i]! > 0 && Number.isFinite(predicted[i]!)) ranked.push(i);
  ranked.sort((a, b) => predicted[b]! - predicted[a]! || a - b);
  const adopted = ranked.slice(0, topK);
  if (adopted.length === 0) return adopted;
  let w = adopted.map((i) => predicted[i]!);
  if (input.allocation === 'covariance' && input.history !== undefined && adopted.length > 1) {
    const mv = meanVariance(adopted, predicted, input.history, input.covShrink);
    if (mv !== undefined) w = mv;
  }
  const sum = w.reduce((s, v) => s + v, 0);
  if (!(sum > 0)) return [];
  adopted.forEach((i, k) => (weights[i] = w[k]! / sum));
  return adopted.filter((i) => weights[i]! > 0);
}

function meanVariance(adopted: readonly number[], predicted: Float64Array, history: { rewards: Float64Array; bars: number }, shrink: number): number[] | undefined {
  const K = adopted.length;
  const N = predicted.length;
  const L = history.bars;
  if (L < 2) return undefined;
  const mean = new Float64Array(K);
  for (let t = 0; t < L; t++) for (let k = 0; k < K; k++) mean[k] = mean[k]! + (history.rewards[t * N + adopted[k]!]! || 0) / L;
  const S = new Float64Array(K * K);
  for (let t = 0; t < L; t++) {
    for (let i = 0; i < K; i++) {
      const di = (history.rewards[t * N + adopted[i]!]! || 0) - mean[i]!;
      for (let j = 0; j <= i; j++) S[i * K + j] = S[i * K + j]! + (di * ((history.rewards[t * N + adopted[j]!]! || 0) - mean[j]!)) / (L - 1);
    }
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < i; j++) S[i * K + j] = S[i * K + j]! * (1 - shrink);
  const mu = adopted.map((a, k) => predicted[a]! * Math.sqrt(Math.max(S[k * K + k]!, 1e-18)));
  const x = new Array<number>(K).fill(0);
  if (!choleskySolve(S, K, mu, x)) return undefined;
  const w = x.map((v) => (v > 0 ? v : 0));
  return w.some((v) => v > 0) ? w : undefined;
}
