/**
 * Look-ahead analysis (freqtrade's lookahead-analysis, for every stage of the pipeline): the whole panel is run as
 * a backtest runs it; then, for sampled decision bars t, the same backtest is run again on the data cut at t (the
 * decision bar is the last one there is). A stage whose output at t differs between the two read something after
 * t: a bias. Compared per stage: the feature catalogue, each expert's exposure, the router's weights and regimes, the
 * target the orders aim at (the combination or the contest's), and the contest's proposals.
 */
import { type ArenaConfig, type BarPanel, REGIMES, Rng } from '@arena/core';
import { computeFeatures } from '@arena/features';
import { type SteppedPanel, stepPanel } from '../backtest.ts';
import type { PipelineModels } from '../pipeline/build.ts';

export interface StageCheck {
  readonly stage: string;
  /** decision bars compared */
  readonly bars: number;
  /** of them, bars where the stage's output at t changed when the data ended at t */
  readonly changed: number;
  /** the largest absolute difference seen (NaN against a number counts as Infinity) */
  readonly maxDiff: number;
  /** the largest |output| of the stage at those bars: 0 says the stage had nothing to compare (an idle stage) */
  readonly maxAbs: number;
  /** ISO time of the first changed bar */
  readonly firstChanged?: string;
  readonly biased: boolean;
}

export interface LookaheadReport {
  /** the decision bars compared, ISO time */
  readonly decisions: readonly string[];
  readonly stages: readonly StageCheck[];
  readonly biased: boolean;
  /** absolute tolerance on a difference (float noise) */
  readonly tolerance: number;
}

export interface LookaheadInput {
  readonly panel: BarPanel;
  readonly config: ArenaConfig;
  readonly models: PipelineModels;
  readonly funding?: Float64Array;
  /** decision bars to check (default 12) */
  readonly samples?: number;
  readonly seed?: number;
  /** bars before the first decision sampled (default: a quarter of the panel) */
  readonly minBar?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

const TOLERANCE = 1e-9;

/** Row t of a [cell * width] series. */
function row<T extends Float32Array | Float64Array>(x: T, t: number, width: number): T {
  return x.subarray(t * width, (t + 1) * width) as T;
}

function diff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== x || y !== y) {
      if ((x !== x) !== (y !== y)) return Infinity;
      continue;
    }
    const d = Math.abs(x - y);
    if (d > m) m = d;
  }
  return m;
}

/** What a stage put out at bar t of a run (each a row of numbers). */
function outputsAt(run: SteppedPanel, panel: BarPanel, t: number, features: Float64Array[]): Map<string, Float64Array | Float32Array> {
  const A = panel.nAssets;
  const out = new Map<string, Float64Array | Float32Array>();
  out.set('features', Float64Array.from(features.flatMap((c) => [...row(c, t, A)])));
  run.experts.forEach((e) => out.set(`expert:${e.name}`, row(e.exposure, t, A)));
  out.set('router:weights', row(run.routing.weights, t, A * run.experts.length));
  out.set('router:regime', row(run.routing.regime, t, A * REGIMES.length));
  if (run.contest) out.set('contest:proposals', row(run.contest.proposals, t, A * run.contest.agents.length));
  out.set(run.contest ? 'target (contest)' : 'target (combination)', row(run.target, t, A));
  if (run.dataTeam) {
    // the data team's latest scoring at or before t: its rank ICs and the variant chosen
    const ts = panel.ts[t]!;
    const frame = run.dataTeam.frames.filter((f) => f.ts <= ts).at(-1);
    out.set('data team', frame ? Float64Array.from([...frame.ic, frame.chosen]) : new Float64Array(0));
  }
  return out;
}

/** The decision bars of a run: bars whose orders filled at the next open (sampled), else any bars. */
function decisionBars(run: SteppedPanel, panel: BarPanel, n: number, minBar: number, rng: Rng): number[] {
  const fills = run.pipeline.book.broker.fills.column('t');
  const decided = new Set<number>();
  for (const t of fills) if (t - 1 >= minBar && t - 1 < panel.nTimes - 1) decided.add(t - 1);
  let pool = [...decided];
  if (pool.length < n) pool = Array.from({ length: Math.max(0, panel.nTimes - 1 - minBar) }, (_, i) => minBar + i);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n).sort((a, b) => a - b);
}

export async function lookaheadAnalysis(input: LookaheadInput): Promise<LookaheadReport> {
  const { panel, config, models, funding } = input;
  const A = panel.nAssets;
  const run = (p: BarPanel, f: Float64Array | undefined) => stepPanel({ panel: p, config, models, ...(f ? { funding: f } : {}) });
  const featuresOf = (p: BarPanel, f: Float64Array | undefined) => computeFeatures({ panel: p, ...(f ? { funding: f } : {}) }).columns as Float64Array[];
  const full = await run(panel, funding);
  const fullFeatures = featuresOf(panel, funding);
  const bars = decisionBars(full, panel, input.samples ?? 12, input.minBar ?? Math.floor(panel.nTimes / 4), new Rng(input.seed ?? 1));
  const stats = new Map<string, { changed: number; maxDiff: number; maxAbs: number; first?: number }>();
  let done = 0;
  for (const t of bars) {
    const cutFunding = funding?.subarray(0, (t + 1) * A);
    const cutPanel = panel.slice(0, t + 1);
    const cut = await run(cutPanel, cutFunding);
    const a = outputsAt(full, panel, t, fullFeatures);
    const b = outputsAt(cut, cutPanel, t, featuresOf(cutPanel, cutFunding));
    for (const [stage, x] of a) {
      const d = diff(x, b.get(stage)!);
      const s = stats.get(stage) ?? { changed: 0, maxDiff: 0, maxAbs: 0 };
      for (const v of x) if (Math.abs(v) > s.maxAbs) s.maxAbs = Math.abs(v);
      if (d > TOLERANCE) {
        s.changed++;
        s.first ??= t;
      }
      s.maxDiff = Math.max(s.maxDiff, d);
      stats.set(stage, s);
    }
    input.onProgress?.(++done, bars.length);
  }
  const iso = (t: number) => new Date(panel.ts[t]!).toISOString();
  const stages: StageCheck[] = [...stats.entries()].map(([stage, s]) => ({
    stage,
    bars: bars.length,
    changed: s.changed,
    maxDiff: s.maxDiff,
    maxAbs: s.maxAbs,
    ...(s.first !== undefined ? { firstChanged: iso(s.first) } : {}),
    biased: s.changed > 0,
  }));
  return { decisions: bars.map(iso), stages, biased: stages.some((s) => s.biased), tolerance: TOLERANCE };
}
