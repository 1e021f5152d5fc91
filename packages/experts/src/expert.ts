/** The Expert interface: per asset, a target exposure in [-1, 1] and a confidence in [0, 1], updated bar by bar. */
import type { BarPanel } from '@arena/core';

export interface ExpertContext {
  readonly nAssets: number;
  /** bars per year of the data (annualises volatilities) */
  readonly periodsPerYear: number;
}

/**
 * An expert is a state machine per asset. `advance` consumes bars [t0, t1) of asset a and writes the output
 * for bar t at exposure[outStart + (t - t0) * nAssets + a] (same for confidence). Paper trading advances every
 * asset by one bar (stepExperts); a backtest advances each asset over all bars in one call (runExpertBatch),
 * which keeps the state in registers. Both run the same code, so they agree exactly.
 * A missing bar (present = 0) leaves the state alone and repeats the asset's last output; before an asset's
 * first bar the output is 0. Nothing is allocated after reset().
 */
export interface Expert {
  readonly name: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** present bars an asset needs before the output is not 0 */
  readonly warmup: number;
  reset(ctx: ExpertContext): void;
  advance(
    panel: BarPanel,
    a: number,
    t0: number,
    t1: number,
    exposure: Float64Array,
    confidence: Float64Array,
    outStart: number,
  ): void;
}

/** Exposures and confidences of one expert over a panel, time-major [t * nAssets + a]. */
export interface ExpertSeries {
  readonly name: string;
  readonly exposure: Float64Array;
  readonly confidence: Float64Array;
}

/** (bar, asset) cells per block of runExpertBatch: the block's rows of the panel and the outputs stay in L2. */
const BLOCK_CELLS = 8192;

/**
 * Runs an expert over all bars of the panel (the backtest's batch mode): block by block of bars, each asset over the
 * block in one call. The panel is time-major, so one asset's column over every bar touches a cache line per bar per
 * array; blocks keep the rows that asset 0 brought in cached for the others. The state carries over between calls
 * (the streaming contract), so the outputs are those of one call per asset, whatever the block (blockCells / A bars).
 */
export function runExpertBatch(expert: Expert, panel: BarPanel, ctx: ExpertContext, blockCells = BLOCK_CELLS): ExpertSeries {
  const A = panel.nAssets;
  const T = panel.nTimes;
  const exposure = new Float64Array(T * A);
  const confidence = new Float64Array(T * A);
  expert.reset(ctx);
  const block = Math.max(1, Math.floor(blockCells / Math.max(1, A)));
  for (let t0 = 0; t0 < T; t0 += block) {
    const t1 = Math.min(T, t0 + block);
    for (let a = 0; a < A; a++) expert.advance(panel, a, t0, t1, exposure, confidence, t0 * A);
  }
  return { name: expert.name, exposure, confidence };
}

/** Advances an expert by bar t for every asset (paper trading); writes at exposure[offset + a]. */
export function stepExpert(expert: Expert, panel: BarPanel, t: number, exposure: Float64Array, confidence: Float64Array, offset: number): void {
  for (let a = 0; a < panel.nAssets; a++) expert.advance(panel, a, t, t + 1, exposure, confidence, offset);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
