/**
 * What the contest is measured against, from the same agents' proposals and rewards: every agent equally, the
 * naive top k by trailing mean reward (equal weights, re-chosen at the same window ends), and the single agent
 * with the best Sharpe over a range (chosen in hindsight: an upper bound, not a strategy).
 */
import type { ContestRun } from './run.ts';
import { RING } from './stats.ts';

/** The mean proposal of all agents per bar and asset. */
export function allAgentsEqual(run: ContestRun, nAssets: number): Float64Array {
  const N = run.agents.length;
  const T = run.proposals.length / (N * nAssets);
  const out = new Float64Array(T * nAssets);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < N; i++) {
      const o = (t * N + i) * nAssets;
      for (let a = 0; a < nAssets; a++) out[t * nAssets + a] = out[t * nAssets + a]! + run.proposals[o + a]! / N;
    }
  }
  return out;
}

/**
 * Top k agents by mean reward over the last `lookback` bars, chosen at the bars where the contest's windows closed,
 * equal-weighted until the next; flat before the first choice.
 */
export function topkTrailingMean(run: ContestRun, nAssets: number, k: number, window: number, lookback = RING * window): Float64Array {
  const N = run.agents.length;
  const T = run.barRewards.length / N;
  const out = new Float64Array(T * nAssets);
  const closes = new Set(run.frames.map((f) => f.ts));
  const sums = new Float64Array(N);
  const counts = new Float64Array(N);
  let chosen: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < N; i++) {
      const r = run.barRewards[t * N + i]!;
      if (r === r) (sums[i] = sums[i]! + r), (counts[i] = counts[i]! + 1);
      const old = t - lookback >= 0 ? run.barRewards[(t - lookback) * N + i]! : NaN;
      if (old === old) (sums[i] = sums[i]! - old), (counts[i] = counts[i]! - 1);
    }
    if (closes.has(run.ts[t]!)) {
      const order = Array.from({ length: N }, (_, i) => i).filter((i) => counts[i]! > 0);
      order.sort((a, b) => sums[b]! / counts[b]! - sums[a]! / counts[a]! || a - b);
      chosen = order.slice(0, k);
    }
    for (const i of chosen) {
      const o = (t * N + i) * nAssets;
      for (let a = 0; a < nAssets; a++) out[t * nAssets + a] = out[t * nAssets + a]! + run.proposals[o + a]! / chosen.length;
    }
  }
  return out;
}

/** The agent whose bar rewards over bars [t0, t1) have the best Sharpe, and its proposals as a target over the whole run. */
export function bestAgentHindsight(run: ContestRun, nAssets: number, t0: number, t1: number): { agent: number; exposure: Float64Array } {
  const N = run.agents.length;
  let best = 0;
  let bestSharpe = -Infinity;
  for (let i = 0; i < N; i++) {
    let s1 = 0;
    let s2 = 0;
    let n = 0;
    // the reward realised at bar t + 1 belongs to the proposal of bar t
    for (let t = t0 + 1; t <= t1 && t < run.barRewards.length / N; t++) {
      const r = run.barRewards[t * N + i]!;
      if (r !== r) continue;
      s1 += r;
      s2 += r * r;
      n++;
    }
    const m = n > 0 ? s1 / n : 0;
    const sd = n > 1 ? Math.sqrt(Math.max(0, s2 / n - m * m)) : 0;
    const sharpe = sd > 0 ? m / sd : -Infinity;
    if (sharpe > bestSharpe) (bestSharpe = sharpe), (best = i);
  }
  const T = run.proposals.length / (N * nAssets);
  const exposure = new Float64Array(T * nAssets);
  for (let t = 0; t < T; t++) for (let a = 0; a < nAssets; a++) exposure[t * nAssets + a] = run.proposals[(t * N + best) * nAssets + a]!;
  return { agent: best, exposure };
}
