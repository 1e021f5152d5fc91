/** A strategy over precomputed series: combine the experts' exposures (static or per-bar weights, or given targets), then a Book's loop. */
import type { ArenaConfig, BarPanel } from '@arena/core';
import type { ExpertSeries } from '@arena/experts';
import { dominantRules } from './exits.ts';
import { RiskGuard } from './paper/risk.ts';
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
 * Book stepped over the panel, the same code the pipeline's main book runs, under the same kill switch (config.risk:
 * flattened and paused at a drawdown or daily-loss limit; buy and hold, the market's reference, holds through).
 * Allocates up front; the loop nothing.
 */
export function simulate(input: SimulationInput): StrategyRun {
  const { panel, experts, weights, config } = input;
  const A = panel.nAssets;
  const T = panel.nTimes;
  const dyn = input.dynamicWeights;
  if (input.exposure !== undefined && input.exposure.length !== A * T) throw new Error(`target exposure holds ${input.exposure.length} values, expected ${T} bars x ${A} assets`);
  const given = input.exposure;
  const E = experts.length;
  if (given === undefined && dyn !== undefined && dyn.length !== A * T * E) throw new Error(`router weights hold ${dyn.length} values, expected ${A * T} cells x ${E} experts`);
  // the experts' combination is made bar by bar into one row (no panel-sized array, one pass over each expert's row)
  const row = new Float64Array(A);
  const xs = experts.map((e) => e.exposure);
  const book = new Book(A, config, input.holdOnceEntered === true, T);
  const plan = book.exitPlan;
  const perExpert = plan.perExpert && given === undefined && E === plan.ruleOfExpert.length;
  const rules = new Uint8Array(A);
  // per-expert exit rules: bar t's exposures and weights in the pipeline's layout, for dominantRules
  const barExposure = perExpert ? new Float64Array(E * A) : undefined;
  const barWeights = perExpert ? new Float64Array(A * E) : undefined;
  const risk = input.holdOnceEntered === true ? undefined : new RiskGuard(config.risk, config.broker.initialCash);
  const halts: { ts: number; reason: string }[] = [];
  for (let t = 0; t < T; t++) {
    const eq = book.open(panel, t, input.fundingDue, t * A);
    // the kill switch as the pipeline steps it: checked on the bar's equity, flattening instead of rebalancing
    if (risk !== undefined) {
      const halted = risk.check(panel.ts[t]!, eq);
      if (halted !== undefined) {
        halts.push({ ts: panel.ts[t]!, reason: halted });
        book.flatten();
        continue;
      }
      if (risk.paused) continue;
    }
    if (t === T - 1) continue;
    let targets: Float64Array = row;
    let base = 0;
    if (given !== undefined) {
      targets = given;
      base = t * A;
    } else if (dyn === undefined) combineBar(xs, weights, t * A, row);
    else combineRoutedBar(xs, dyn, t * A, row);
    if (barExposure !== undefined && barWeights !== undefined) {
      for (let e = 0; e < E; e++) {
        const x = xs[e]!;
        for (let a = 0; a < A; a++) {
          barExposure[e * A + a] = x[t * A + a]!;
          barWeights[a * E + e] = dyn === undefined ? weights[e]! : dyn[(t * A + a) * E + e]!;
        }
      }
      // per-expert rules only without given targets, so the bar's targets are the combined row
      dominantRules(plan, row, barExposure, barWeights, rules);
    }
    book.rebalance(panel, t, targets, base, rules);
    if (input.onProgress !== undefined && t % PROGRESS_EVERY === 0) input.onProgress(t, T);
  }
  input.onProgress?.(T, T);
  return { ...book.run(input.name, panel), halts };
}

/** One bar's statically weighted sum of the experts' exposures, cells [cell0, cell0 + out.length): out[a] = sum_e w[e] x_e[cell0 + a], experts of weight 0 skipped. */
export function combineBar(xs: readonly Float64Array[], weights: Float64Array, cell0: number, out: Float64Array): void {
  const A = out.length;
  const E = xs.length;
  // expert by expert over the row (the same additions in the same order as a sum per asset, so the same bits)
  out.fill(0);
  for (let e = 0; e < E; e++) {
    const w = weights[e]!;
    if (w === 0) continue;
    const x = xs[e]!;
    for (let a = 0; a < A; a++) out[a] = out[a]! + w * x[cell0 + a]!;
  }
}

/** One bar's router-weighted sum of the experts' exposures: out[a] = sum_e w[(cell0 + a) * E + e] x_e[cell0 + a]. */
export function combineRoutedBar(xs: readonly Float64Array[], w: Float32Array, cell0: number, out: Float64Array): void {
  const A = out.length;
  const E = xs.length;
  for (let a = 0; a < A; a++) {
    const c = cell0 + a;
    let sum = 0;
    for (let e = 0; e < E; e++) sum += w[c * E + e]! * xs[e]![c]!;
    out[a] = sum;
  }
}
