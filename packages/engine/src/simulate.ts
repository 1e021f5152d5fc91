/** A strategy over precomputed series: combine the experts' exposures (static or per-bar weights, or given targets), then a Book's loop. */
import type { ArenaConfig, BarPanel } from '@arena/core';
import type { ExpertSeries } from '@arena/experts';
import type { ExitPlan } from './exits.ts';
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
  for (let t = 0; t < T; t++) {
    book.open(panel, t, input.fundingDue, t * A);
    if (t === T - 1) continue;
    if (perExpert) dominantSeriesRules(plan, experts, weights, dyn, combined, t, rules);
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

/** dominantRules over precomputed series at bar t: the rule set of the expert pushing hardest along the combined target. */
function dominantSeriesRules(plan: ExitPlan, experts: readonly ExpertSeries[], weights: Float64Array, dyn: Float32Array | undefined, combined: Float64Array, t: number, out: Uint8Array): void {
  const A = out.length;
  const E = experts.length;
  for (let a = 0; a < A; a++) {
    const c = t * A + a;
    const sign = combined[c]! > 0 ? 1 : combined[c]! < 0 ? -1 : 0;
    let best = 0;
    let bestE = -1;
    for (let e = 0; e < E; e++) {
      const w = dyn === undefined ? weights[e]! : dyn[c * E + e]!;
      const v = sign * w * experts[e]!.exposure[c]!;
      if (v > best) {
        best = v;
        bestE = e;
      }
    }
    out[a] = bestE < 0 ? 0 : plan.ruleOfExpert[bestE]!;
  }
}
