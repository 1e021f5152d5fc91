/**
 * The data team: factor producers, each a variant of the dynamic feature selector (window, clusters, top k). A
 * variant's factor at (t, a) is the selection's weighted, IC-signed sum of the z-scored selected features:
 *   factor = sum_j w_j sign(IC_j) z_j(t, a)
 * At the end of every scoring window each factor is scored by its rank IC (Spearman, pooled over assets) against
 * the forward return over `horizon` bars, on the last `icWindows` windows of cells whose return is already known.
 * The best-scoring variant's selection is what the research team's learned expert and router read until the next
 * window: the merged run below holds, at each bar, the selection of the variant chosen at that time.
 */
import { type ArenaConfig, type BarPanel, timeframeMs } from '@arena/core';
import { type ConvInputs, type SelectionRun, type SelectorConfigInput, preparePanel, rankIC, runSelector, withSelection } from '@arena/features';
import { closesWindow } from './contest.ts';
import { barIndex } from './proposals.ts';

export interface DataTeamVariant {
  readonly name: string;
  readonly selector: SelectorConfigInput;
  readonly run: SelectionRun;
}

export interface DataTeamFrame {
  readonly ts: number;
  /** trailing rank IC per variant (NaN: too few known cells) */
  readonly ic: Float64Array;
  readonly chosen: number;
}

export interface DataTeamResult {
  readonly variants: readonly DataTeamVariant[];
  readonly frames: readonly DataTeamFrame[];
  /** the variant in effect at each bar */
  readonly chosenAt: Int32Array;
  /** at each bar the chosen variant's selection: what the learned expert and the router read */
  readonly merged: SelectionRun;
  /** the base inputs (z-scored features) masked by the merged selection */
  readonly inputs: ConvInputs;
}

export function variantName(v: SelectorConfigInput): string {
  const parts = Object.entries(v).map(([k, x]) => `${k}=${String(x)}`);
  return parts.length === 0 ? 'base' : parts.join(' ');
}

/** Spearman correlation of the first n values of x and y (average ranks for ties); NaN under 3 pairs, 0 without spread. */
export function spearman(x: Float64Array, y: Float64Array, n: number): number {
  return n < 3 ? NaN : rankIC(x, y, n);
}

/** Each variant's factor over the panel, [t * assets + a]; NaN before its first selection or where undefined. */
export function factorValues(inputs: ConvInputs, run: SelectionRun): Float64Array {
  const { nTimes: T, nAssets: A, nFeatures: F, z } = inputs;
  const out = new Float64Array(T * A).fill(NaN);
  for (let t = 0; t < T; t++) {
    const s = run.at[t]!;
    if (s < 0) continue;
    const sel = run.history[s]!;
    const n = sel.indices.length;
    for (let a = 0; a < A; a++) {
      let v = 0;
      for (let j = 0; j < n; j++) {
        const f = sel.indices[j]!;
        v += sel.weights[j]! * ((sel.scores[f]?.rankIC ?? 0) < 0 ? -1 : 1) * z[(t * A + a) * F + f]!;
      }
      out[t * A + a] = v;
    }
  }
  return out;
}

export interface DataTeamOptions {
  readonly panel: BarPanel;
  readonly funding?: Float64Array;
  /** the selector the learned expert was trained with: variant {} means exactly this one */
  readonly base: SelectorConfigInput;
  readonly team: ArenaConfig['contest']['dataTeam'];
  /** bars per scoring window (contest.window) */
  readonly window: number;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export function runDataTeam(o: DataTeamOptions): DataTeamResult {
  const { panel, team } = o;
  const T = panel.nTimes;
  const A = panel.nAssets;
  const base = preparePanel(panel, o.funding, o.base);
  const variants: DataTeamVariant[] = team.variants.map((given, k) => {
    const v = Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as SelectorConfigInput;
    const selector: SelectorConfigInput = { ...o.base, ...v };
    o.onProgress?.(`data team ${k + 1}/${team.variants.length}`, 0, 1);
    const run = Object.keys(v).length === 0 ? base.run : runSelector(base.set, panel, selector, o.onProgress ? (d, n) => o.onProgress!(`data team ${k + 1}/${team.variants.length}`, d, n) : undefined);
    return { name: variantName(v), selector, run };
  });
  const factors = variants.map((v) => factorValues(base.inputs, v.run));
  const h = team.horizon;
  const close = panel.close;
  const barMs = timeframeMs(panel.timeframe);
  const span = team.icWindows * o.window;
  const xs = new Float64Array(span * A);
  const ys = new Float64Array(span * A);
  const chosenAt = new Int32Array(T);
  const frames: DataTeamFrame[] = [];
  let chosen = 0;
  for (let t = 0; t < T; t++) {
    chosenAt[t] = chosen;
    if (!closesWindow(barIndex(panel.ts[t]!, barMs), o.window)) continue;
    // cells s whose forward return (s -> s + h) is known at t: s <= t - h
    const ic = new Float64Array(variants.length).fill(NaN);
    const last = t - h;
    const first = Math.max(0, last - span + 1);
    factors.forEach((f, v) => {
      let n = 0;
      for (let s = first; s <= last; s++) {
        for (let a = 0; a < A; a++) {
          const i = s * A + a;
          const j = (s + h) * A + a;
          const x = f[i]!;
          if (x !== x || panel.present[i] !== 1 || panel.present[j] !== 1 || !(close[i]! > 0)) continue;
          xs[n] = x;
          ys[n] = close[j]! / close[i]! - 1;
          n++;
        }
      }
      ic[v] = n >= 30 ? spearman(xs, ys, n) : NaN;
    });
    let best = -1;
    for (let v = 0; v < ic.length; v++) if (Number.isFinite(ic[v]!) && (best < 0 || ic[v]! > ic[best]!)) best = v;
    if (best >= 0) chosen = best;
    frames.push({ ts: panel.ts[t]!, ic, chosen });
  }
  const merged = mergeRuns(variants.map((v) => v.run), chosenAt);
  return { variants, frames, chosenAt, merged, inputs: withSelection(base.inputs, merged) };
}

/** One run whose selection at each bar is that of the variant chosen for the bar (histories concatenated). */
function mergeRuns(runs: readonly SelectionRun[], chosenAt: Int32Array): SelectionRun {
  const offsets: number[] = [];
  let n = 0;
  for (const r of runs) offsets.push(n), (n += r.history.length);
  const at = new Int32Array(chosenAt.length);
  for (let t = 0; t < at.length; t++) {
    const v = chosenAt[t]!;
    const s = runs[v]!.at[t]!;
    at[t] = s < 0 ? -1 : offsets[v]! + s;
  }
  return { history: runs.flatMap((r) => r.history), at, config: runs[0]!.config };
}
