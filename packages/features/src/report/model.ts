/**
 * The feature report's model: what `arena features report` writes to features.json and draws in features.html.
 * Built from a FeatureSet, its panel and a selector run; descriptive (the IC table reads the whole range, so it
 * looks ahead by design; the selections themselves are causal).
 */
import type { BarPanel } from '@arena/core';
import type { FeatureGroup, FeatureInfo, FeatureSet } from '../featureSet.ts';
import type { SelectionReason } from '../selection.ts';
import type { SelectionRun } from '../selector.ts';
import type { SelectorConfig } from '../selectorConfig.ts';
import { hitRate, rankIC } from '../convnet/signalScores.ts';

export interface IcRow {
  readonly feature: string;
  readonly group: FeatureGroup;
  /** Spearman rank IC against the forward log return over `horizon` bars, whole range, pooled over assets; NaN without data */
  readonly rankIC: number;
  /** |rankIC| x sqrt(samples / horizon) (overlapping forward returns counted once per horizon) */
  readonly icT: number;
  /** share of cells where the sign of (feature - its median) matches the sign of the forward return */
  readonly hitRate: number;
  /** share of the selections that kept the feature */
  readonly selectedShare: number;
  /** (bar, asset) cells with a finite feature and a known forward return */
  readonly samples: number;
}

export interface SelectionRow {
  readonly t: number;
  /** the selection bar's open time, ISO 8601 */
  readonly ts: string;
  readonly reason: SelectionReason;
  readonly detail: string;
  readonly features: readonly string[];
  readonly weights: readonly number[];
  readonly clusters: number;
  readonly silhouette: number | null;
  readonly samples: number;
}

/** The last selection's clustering: every scored feature ordered by cluster, and its |correlation| matrix in that order. */
export interface ClusterMap {
  readonly t: number;
  readonly ts: string;
  readonly features: readonly string[];
  readonly groups: readonly FeatureGroup[];
  /** cluster of each feature above (0-based) */
  readonly cluster: readonly number[];
  /** the features this selection kept */
  readonly selected: readonly string[];
  /** |correlation|, rows and columns in `features` order */
  readonly correlation: readonly (readonly number[])[];
  /** catalogue features left out of the map: too few finite values in the window to be scored */
  readonly unscored: readonly string[];
}

export interface FeatureReportModel {
  readonly format: 'arena-features-report';
  readonly version: 1;
  readonly source: string;
  readonly timeframe: string;
  readonly symbols: readonly string[];
  /** first and last bar open, ISO 8601 */
  readonly from: string;
  readonly to: string;
  readonly bars: number;
  readonly selector: SelectorConfig;
  readonly catalogue: readonly FeatureInfo[];
  /** one row per feature, catalogue order */
  readonly icTable: readonly IcRow[];
  readonly selections: readonly SelectionRow[];
  readonly lastClusters: ClusterMap | null;
}

export interface FeatureReportInput {
  readonly set: FeatureSet;
  readonly panel: BarPanel;
  readonly run: SelectionRun;
  readonly source: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Forward log returns over `horizon` bars per (row, asset) cell; NaN where either close is missing. */
export function forwardLogReturns(panel: BarPanel, horizon: number): Float64Array {
  const A = panel.nAssets;
  const out = new Float64Array(panel.nTimes * A).fill(NaN);
  for (let t = 0; t + horizon < panel.nTimes; t++) {
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      const j = (t + horizon) * A + a;
      if (!panel.present[i] || !panel.present[j]) continue;
      const c0 = panel.close[i]!;
      const c1 = panel.close[j]!;
      if (c0 > 0 && c1 > 0) out[i] = Math.log(c1 / c0);
    }
  }
  return out;
}

function median(v: Float64Array, n: number): number {
  const s = v.slice(0, n).sort();
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Rank IC, t-stat and hit rate of each feature against the forward return over the whole panel. */
export function icTable(set: FeatureSet, fwd: Float64Array, horizon: number, selectedShare: (name: string) => number): IcRow[] {
  const cells = fwd.length;
  const xs = new Float64Array(cells);
  const ys = new Float64Array(cells);
  return set.features.map((info, f) => {
    const col = set.columns[f]!;
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < cells; i++) {
      const x = col[i]!;
      const y = fwd[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xs[n] = x;
      ys[n] = y;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      n++;
    }
    let ic = NaN;
    let hit = NaN;
    // a constant feature has no rank order: its IC is undefined, not 0
    if (n >= 3 && hi > lo) {
      ic = rankIC(xs, ys, n);
      const m = median(xs, n);
      const centred = new Float64Array(n);
      for (let i = 0; i < n; i++) centred[i] = xs[i]! - m;
      hit = hitRate(centred, ys, n);
    }
    return {
      feature: info.name,
      group: info.group,
      rankIC: ic,
      icT: Number.isFinite(ic) ? Math.abs(ic) * Math.sqrt(n / horizon) : NaN,
      hitRate: hit,
      selectedShare: selectedShare(info.name),
      samples: n,
    };
  });
}

function clusterMap(set: FeatureSet, run: SelectionRun): ClusterMap | null {
  const last = run.history[run.history.length - 1];
  if (last === undefined) return null;
  const F = set.features.length;
  const scored: number[] = [];
  const unscored: string[] = [];
  for (let f = 0; f < F; f++) {
    if ((last.scores[f]?.cluster ?? -1) >= 0) scored.push(f);
    else unscored.push(set.features[f]!.name);
  }
  // by cluster; inside a cluster the strongest first, so each block reads from its best member
  const score = (f: number) => last.scores[f]!.score;
  const cl = (f: number) => last.scores[f]!.cluster;
  scored.sort((a, b) => cl(a) - cl(b) || score(b) - score(a) || a - b);
  // renumber the clusters in order of appearance so the map's blocks count 0, 1, 2, ... down the diagonal
  const renumber = new Map<number, number>();
  for (const f of scored) if (!renumber.has(cl(f))) renumber.set(cl(f), renumber.size);
  return {
    t: last.t,
    ts: iso(last.ts),
    features: scored.map((f) => set.features[f]!.name),
    groups: scored.map((f) => set.features[f]!.group),
    cluster: scored.map((f) => renumber.get(cl(f))!),
    selected: [...last.features],
    correlation: scored.map((f) => scored.map((g) => last.correlation[f * F + g]!)),
    unscored,
  };
}

export function buildFeatureReport(input: FeatureReportInput): FeatureReportModel {
  const { set, panel, run, source } = input;
  const horizon = run.config.horizon;
  const kept = new Map<string, number>();
  for (const s of run.history) for (const name of s.features) kept.set(name, (kept.get(name) ?? 0) + 1);
  const nSel = run.history.length;
  const fwd = forwardLogReturns(panel, horizon);
  return {
    format: 'arena-features-report',
    version: 1,
    source,
    timeframe: panel.timeframe,
    symbols: [...panel.symbols],
    from: panel.nTimes > 0 ? iso(panel.ts[0]!) : '',
    to: panel.nTimes > 0 ? iso(panel.ts[panel.nTimes - 1]!) : '',
    bars: panel.nTimes,
    selector: run.config,
    catalogue: set.features.map(({ name, group, window, description }) => ({ name, group, window, description })),
    icTable: icTable(set, fwd, horizon, (name) => (nSel > 0 ? (kept.get(name) ?? 0) / nSel : 0)),
    selections: run.history.map((s) => ({
      t: s.t,
      ts: iso(s.ts),
      reason: s.reason,
      detail: s.detail,
      features: [...s.features],
      weights: [...s.weights],
      clusters: s.clusters,
      silhouette: s.silhouette,
      samples: s.samples,
    })),
    lastClusters: clusterMap(set, run),
  };
}

/** Selections per reason, every reason present (0 when none). */
export function selectionCounts(model: FeatureReportModel): Record<SelectionReason, number> {
  const counts: Record<SelectionReason, number> = { initial: 0, scheduled: 0, drift: 0 };
  for (const s of model.selections) counts[s.reason]++;
  return counts;
}

/** The IC table's rows with a finite IC, strongest |IC| first (ties by name). */
export function topByAbsIc(model: FeatureReportModel, k = Infinity): IcRow[] {
  return model.icTable
    .filter((r) => Number.isFinite(r.rankIC))
    .sort((a, b) => Math.abs(b.rankIC) - Math.abs(a.rankIC) || (a.feature < b.feature ? -1 : 1))
    .slice(0, k);
}
