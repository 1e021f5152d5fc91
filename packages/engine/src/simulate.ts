/** A strategy over precomputed series: combine the experts' exposures (static or per-bar weights, or given targets), then a Book's loop. */
import type { ArenaConfig, BarPanel } from '@arena/core';
import type { ExpertSeries } from '@arena/experts';
import { dominantRules } from './exits.ts';
import { Book } from './pipeline/book.ts';
import type { StrategyRun } from './result.ts';

export interface SimulationInput {
  readonly name: string;
  readonly panel: BarPanel;
  /** per-expert exposures over the whole panel, time-major */
  readonly experts: readonly ExpertSeries[];
  /** static expert weights (same order as experts), summing to 1 */
  readonly weights: Float64Array;
  /** per-bar weights from a router, [(t * nAssets + a) * experts + e]; when given they replace `weights` */
  readonly dynamicWeights?: Float32Array;
  /** the combined target exposure per bar and asset, [t * nAssets + a] (e.g. the contest's); replaces the experts' combination */
  readonly exposure?: Float64Array;
  readonly config: ArenaConfig;
  /** buy and hold: trade each asset only until its first target is reached, never rebalance */
  readonly holdOnceEntered?: boolean;
  /** funding settled at each bar's open, [t * nAssets + a] (perpetuals) */
  readonly fundingDue?: Float64Array;
  readonly onProgress?: (done: number, total: number) => void;
}

const PROGRESS_EVERY = 8192;

/**
 * Replays one strategy over precomputed targets (a baseline, or a static combination of precomputed experts): a
 * Book stepped over the panel, the same code the pipeline's main book runs. Allocates up front; the loop nothing.
 */
export function simulate(input: SimulationInput): StrategyRun {
  const { panel, experts, weights, config } = input;
  const A = panel.nAssets;
  const T = panel.nTimes;
  const dyn = input.dynamicWeights;
  if (input.exposure !== undefined && input.exposure.length !== A * T) throw new Error(`target exposure holds ${input.exposure.length} values, expected ${T} bars x ${A} assets`);
  const combined = input.exposure ?? (dyn === undefined ? combineExposures(experts, weights, A * T) : combineRouted(experts, dyn, A * T));
  const book = new Book(A, config, input.holdOnceEntered === true, T);
  const plan = book.exitPlan;
  const perExpert = plan.perExpert && input.exposure === undefined && experts.length === plan.ruleOfExpert.length;
  const rules = new Uint8Array(A);
  // per-expert exit rules: bar t's exposures and weights in the pipeline's layout, for dominantRules
  const E = experts.length;
  const barExposure = perExpert ? new Float64Array(E * A) : undefined;
  const barWeights = perExpert ? new Float64Array(A * E) : undefined;
  for (let t = 0; t < T; t++) {
    book.open(panel, t, input.fundingDue, t * A);
    if (t === T - 1) continue;
    if (barExposure !== undefined && barWeights !== undefined) {
      for (let e = 0; e < E; e++) {
        const x = experts[e]!.exposure;
        for (let a = 0; a < A; a++) {
          barExposure[e * A + a] = x[t * A + a]!;
          barWeights[a * E + e] = dyn === undefined ? weights[e]! : dyn[(t * A + a) * E + e]!;
        }
      }
      dominantRules(plan, combined.subarray(t * A, (t + 1) * A), barExposure, barWeights, rules);
    }
    book.rebalance(panel, t, combined, t * A, rules);
    if (input.onProgress !== undefined && t % PROGRESS_EVERY === 0) input.onProgress(t, T);
  }
  input.onProgress?.(T, T);
  return book.run(input.name, panel);
}

/** The statically weighted sum of the experts' exposures for every bar and asset: one pass per expert. */
export function combineExposures(experts: readonly ExpertSeries[], weights: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  experts.forEach((e, k) => {
    const w = weights[k]!;
    if (w === 0) return;
    const x = e.exposure;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * x[i]!;
  });
  return out;
}

/** The router-weighted sum of the experts' exposures: out[c] = sum_e w[c * E + e] x_e[c]. */
export function combineRouted(experts: readonly ExpertSeries[], w: Float32Array, n: number): Float64Array {
  const E = experts.length;
  if (w.length !== n * E) throw new Error(`router weights hold ${w.length} values, expected ${n} cells x ${E} experts`);
  const out = new Float64Array(n);
  experts.forEach((e, k) => {
    const x = e.exposure;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w[i * E + k]! * x[i]!;
  });
  return out;
}

