/**
 * DynamicFeatureSelector: at a bar's close, over the last `window` bars whose forward return is known, it
 * standardises every feature, clusters the features with k-means++ on their |correlation| profiles, scores each by
 * predictive strength (rank IC and mutual information against the forward return) blended with the inverse of its
 * weighted within-cluster variance, and keeps the best significant feature of each cluster plus the top-k overall.
 * It re-selects every `reselectEvery` bars, and early when a drift test (PSI or KS on the selected features'
 * distributions, recent bars against the selection window) fires. Each selection is recorded with its reason.
 * Causal: a selection at row t reads feature rows <= t and closes <= t only.
 */
import { type BarPanel } from '@arena/core';
import { correlationOfColumns } from '@arena/kernels';
import type { FeatureSet } from './featureSet.ts';
import type { FeatureScore, Selection, SelectionReason } from './selection.ts';
import { type SelectorConfig, type SelectorConfigInput, selectorConfig } from './selectorConfig.ts';
import { kmeans, kmeansAuto } from './stats/kmeans.ts';
import { binOf, ksBinned, psi, quantileEdges } from './stats/drift.ts';
import { binnedMutualInformation, pearson, ranks } from './stats/predictive.ts';

const MI_BINS = 8;
const DRIFT_BINS = 10;
/** fewer finite cells than this in the window: the feature is not scored */
const MIN_CELLS = 50;

/** A selected feature's decile edges and proportions over the selection window: what later bars are tested against. */
export interface DriftReference {
  readonly feature: number;
  readonly edges: Float64Array;
  readonly p: Float64Array;
}

/** A window's statistics (DynamicFeatureSelector.score): [f * F + g] |correlation|, per feature IC, MI and significance. */
export interface WindowScores {
  readonly samples: number;
  readonly corr: Float64Array;
  readonly ic: Float64Array;
  readonly icT: Float64Array;
  readonly mi: Float64Array;
  readonly miZ: Float64Array;
  /** 1: the feature had enough finite, non-constant cells to be scored */
  readonly valid: Uint8Array;
}

/** The settings a window's statistics depend on: selectors equal in these share them at the same row. */
export function scoringKey(c: SelectorConfig): string {
  return `${c.window}/${c.horizon}/${c.maxSamples}`;
}

export class DynamicFeatureSelector {
  readonly config: SelectorConfig;
  readonly history: Selection[] = [];
  private readonly A: number;
  private reference: DriftReference[] = [];
  private readonly q = new Float64Array(DRIFT_BINS);
  private readonly stats: Float64Array;

  constructor(
    readonly set: FeatureSet,
    private readonly panel: BarPanel,
    config: SelectorConfigInput = {},
  ) {
    this.config = selectorConfig(config);
    this.A = panel.nAssets;
    if (set.nTimes !== panel.nTimes || set.nAssets !== panel.nAssets) {
      throw new Error(`feature set ${set.nTimes}x${set.nAssets} does not match the panel ${panel.nTimes}x${panel.nAssets}`);
    }
    this.stats = new Float64Array(set.features.length);
  }

  get current(): Selection | undefined {
    return this.history[this.history.length - 1];
  }

  /** The drift reference of the latest selection (set by select; a stream carries it from one window to the next). */
  get driftReference(): readonly DriftReference[] {
    return this.reference;
  }

  set driftReference(reference: readonly DriftReference[]) {
    this.reference = [...reference];
  }

  /** The first row at which a full window of forward returns is known. */
  get firstRow(): number {
    return this.config.window + this.config.horizon - 1;
  }

  /** Call at each bar's close, rows in order; returns the selection made at row t, if one was. */
  step(t: number): Selection | undefined {
    const c = this.config;
    if (t < this.firstRow) return undefined;
    const cur = this.current;
    if (cur === undefined) return this.select(t, 'initial', `first full window of ${c.window} bars`);
    const since = t - cur.t;
    if (since >= c.reselectEvery) return this.select(t, 'scheduled', `every ${c.reselectEvery} bars`);
    if (since >= c.drift.recent && since % c.drift.every === 0 && this.reference.length > 0) {
      const d = this.driftStatistic(t);
      if (d.value > c.drift.threshold) {
        const what = c.drift.test === 'psi' ? 'PSI' : 'KS';
        return this.select(t, 'drift', `drift: median ${what} ${d.value.toFixed(3)} > ${c.drift.threshold} (largest ${d.max.toFixed(3)} on ${d.feature})`);
      }
    }
    return undefined;
  }

  /**
   * Median drift statistic over the selected features that a recent window can judge (see setReference), so one
   * feature wandering does not trigger a re-selection alone.
   */
  driftStatistic(t: number): { value: number; max: number; feature: string } {
    const { recent, test } = this.config.drift;
    const A = this.A;
    const vals = this.stats;
    let n = 0;
    let max = 0;
    let maxName = '';
    for (const ref of this.reference) {
      const col = this.set.columns[ref.feature]!;
      this.q.fill(0);
      let cnt = 0;
      for (let r = t - recent + 1; r <= t; r++) {
        for (let a = 0; a < A; a++) {
          const v = col[r * A + a]!;
          if (v !== v) continue;
          this.q[binOf(v, ref.edges, DRIFT_BINS - 1)]!++;
          cnt++;
        }
      }
      if (cnt === 0) continue;
      for (let b = 0; b < DRIFT_BINS; b++) this.q[b]! /= cnt;
      const s = test === 'psi' ? psi(ref.p, this.q, DRIFT_BINS) : ksBinned(ref.p, this.q, DRIFT_BINS);
      vals[n++] = s;
      if (s > max) {
        max = s;
        maxName = this.set.features[ref.feature]!.name;
      }
    }
    if (n === 0) return { value: 0, max: 0, feature: '' };
    const sorted = vals.subarray(0, n).sort();
    const value = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    return { value, max, feature: maxName };
  }

  /**
   * The window's statistics at row t: every feature's |correlation| with every other, rank IC and mutual information
   * against the forward return, over the cells (bar, asset) of the window whose forward return is known. They depend
   * on the data and on window, horizon and maxSamples only, so selectors that share those share them (scoringKey).
   */
  score(t: number): WindowScores {
    const c = this.config;
    const { set, panel } = this;
    const A = this.A;
    const F = set.features.length;
    const r0 = Math.max(0, t - c.horizon - c.window + 1);
    const r1 = t - c.horizon;
    const stride = Math.max(1, Math.ceil(((r1 - r0 + 1) * A) / c.maxSamples));
    // cells (row, asset) with a known forward return
    let n = 0;
    const cells = new Int32Array(Math.max(0, Math.ceil((r1 - r0 + 1) / stride)) * A);
    const fwd = new Float64Array(cells.length);
    for (let r = r0; r <= r1; r += stride) {
      for (let a = 0; a < A; a++) {
        const c0 = panel.close[r * A + a]!;
        const c1 = panel.close[(r + c.horizon) * A + a]!;
        if (!(c0 > 0 && c1 > 0)) continue;
        cells[n] = r * A + a;
        fwd[n++] = Math.log(c1 / c0);
      }
    }
    const effective = (k: number) => k * Math.min(1, stride / c.horizon);
    // the sample matrix column by column (feature f's cells at x[f * n, (f + 1) * n)): each feature is gathered and
    // read back contiguously, by the correlation and by its ranks
    const x = new Float64Array(n * F);
    for (let f = 0; f < F; f++) {
      const col = set.columns[f]!;
      const base = f * n;
      for (let i = 0; i < n; i++) x[base + i] = col[cells[i]!]!;
    }
    const corr = correlationOfColumns(x, n, F);
    for (let i = 0; i < corr.length; i++) corr[i] = Math.abs(corr[i]!);

    // predictive strength per feature over its finite cells
    const fv = new Float64Array(n);
    const yv = new Float64Array(n);
    const rx = new Float64Array(n);
    const ry = new Float64Array(n);
    const idx = new Float64Array(n);
    const counts = new Float64Array(MI_BINS * MI_BINS);
    const ic = new Float64Array(F);
    const icT = new Float64Array(F);
    const mi = new Float64Array(F);
    const miZ = new Float64Array(F);
    const valid = new Uint8Array(F);
    const df = (MI_BINS - 1) * (MI_BINS - 1);
    const ryAll = new Float64Array(n);
    let ryAllDone = false;
    for (let f = 0; f < F; f++) {
      let k = 0;
      let lo = Infinity;
      let hi = -Infinity;
      const base = f * n;
      for (let i = 0; i < n; i++) {
        const v = x[base + i]!;
        if (v !== v) continue;
        fv[k] = v;
        yv[k] = fwd[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        k++;
      }
      if (k < MIN_CELLS || !(hi > lo)) continue;
      valid[f] = 1;
      ranks(fv, k, rx, idx);
      // the forward returns' ranks are the same for every feature defined on all cells: rank them once
      let y = ry;
      if (k === n) {
        if (!ryAllDone) ranks(yv, n, ryAll, idx), (ryAllDone = true);
        y = ryAll;
      } else ranks(yv, k, ry, idx);
      ic[f] = pearson(rx, y, k);
      const ne = effective(k);
      icT[f] = Math.abs(ic[f]!) * Math.sqrt(Math.max(0, ne - 2));
      mi[f] = binnedMutualInformation(rx, y, k, MI_BINS, counts);
      miZ[f] = (2 * ne * mi[f]!) / Math.sqrt(2 * df);
    }
    return { samples: n, corr, ic, icT, mi, miZ, valid };
  }

  /**
   * Makes a selection at row t (public for tests and for a forced re-selection).
   * `stats`: the window's statistics when already computed at row t by a selector with the same scoringKey.
   */
  select(t: number, reason: SelectionReason, detail: string, stats: WindowScores = this.score(t)): Selection {
    const c = this.config;
    const { set, panel } = this;
    const F = set.features.length;
    const { samples: n, corr, ic, icT, mi, miZ, valid } = stats;

    // clusters on |correlation| profiles of the scorable features
    const members: number[] = [];
    for (let f = 0; f < F; f++) if (valid[f]) members.push(f);
    const m = members.length;
    const labels = new Int32Array(F).fill(-1);
    let k = 0;
    let sil: number | null = null;
    if (m > 0) {
      const points = new Float64Array(m * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) points[i * m + j] = corr[members[i]! * F + members[j]!]!;
      const clustering =
        c.clusters === 'auto'
          ? m <= 2
            ? kmeans(points, m, m, 1, c.seed)
            : kmeansAuto(points, m, m, 2, c.maxClusters, c.seed)
          : kmeans(points, m, m, Math.min(c.clusters, m), c.seed);
      k = clustering.k;
      if ('silhouette' in clustering) sil = clustering.silhouette as number;
      for (let i = 0; i < m; i++) labels[members[i]!] = clustering.labels[i]!;
    }

    // scores
    let maxIc = 0;
    let maxMi = 0;
    for (let f = 0; f < F; f++) {
      maxIc = Math.max(maxIc, Math.abs(ic[f]!));
      maxMi = Math.max(maxMi, mi[f]!);
    }
    const pred = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      if (!valid[f]) continue;
      pred[f] = 0.5 * (maxIc > 0 ? Math.abs(ic[f]!) / maxIc : 0) + 0.5 * (maxMi > 0 ? mi[f]! / maxMi : 0);
    }
    // weighted within-cluster variance: mean squared profile distance to the cluster's other members, weighted by their strength
    const wvar = new Float64Array(F);
    for (const f of members) {
      let num = 0;
      let den = 0;
      for (const g of members) {
        if (g === f || labels[g] !== labels[f]) continue;
        let d = 0;
        for (const h of members) {
          const v = corr[f * F + h]! - corr[g * F + h]!;
          d += v * v;
        }
        const w = pred[g]! + 1e-6;
        num += w * d;
        den += w;
      }
      wvar[f] = den > 0 ? num / den : 0;
    }
    const positive = members.map((f) => wvar[f]!).filter((v) => v > 0).sort((a, b) => a - b);
    const scale = positive.length > 0 ? positive[Math.floor(positive.length / 2)]! : 1;
    const scores: FeatureScore[] = [];
    const score = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      const clusterScore = valid[f] ? 1 / (1 + wvar[f]! / scale) : 0;
      const eligible = valid[f] === 1 && (icT[f]! >= c.minSignificance || miZ[f]! >= c.minSignificance);
      score[f] = eligible ? (1 - c.blend) * pred[f]! + c.blend * clusterScore : 0;
      scores.push({
        name: set.features[f]!.name,
        cluster: labels[f]!,
        rankIC: ic[f]!,
        icT: icT[f]!,
        mutualInfo: mi[f]!,
        clusterScore,
        score: score[f]!,
        eligible,
      });
    }

    // best of each cluster, then top-k overall
    const chosen = new Set<number>();
    for (let j = 0; j < k; j++) {
      let best = -1;
      for (const f of members) if (labels[f] === j && score[f]! > 0 && (best < 0 || score[f]! > score[best]!)) best = f;
      if (best >= 0) chosen.add(best);
    }
    const byScore = members.filter((f) => score[f]! > 0).sort((a, b) => score[b]! - score[a]! || a - b);
    for (const f of byScore.slice(0, c.topK)) chosen.add(f);
    const indices = [...chosen].sort((a, b) => score[b]! - score[a]! || a - b);
    const total = indices.reduce((s, f) => s + score[f]!, 0);
    const selection: Selection = {
      t,
      ts: panel.ts[t]!,
      reason,
      detail: indices.length === 0 ? `${detail}; no feature significant (|IC| t or MI z >= ${c.minSignificance})` : detail,
      features: indices.map((f) => set.features[f]!.name),
      indices,
      weights: indices.map((f) => score[f]! / total),
      clusters: k,
      silhouette: sil,
      samples: n,
      scores,
      correlation: corr,
    };
    this.history.push(selection);
    this.setReference(t, indices);
    return selection;
  }

  /** Decile edges and proportions of each selected (non-calendar) feature over the window ending at row t. */
  private setReference(t: number, indices: readonly number[]): void {
    const A = this.A;
    const r0 = Math.max(0, t - this.config.window + 1);
    const buf = new Float64Array((t - r0 + 1) * A);
    this.reference = [];
    for (const f of indices) {
      // calendar features are a clock, not data; a feature whose look-back exceeds half the recent window moves too
      // little within it for its recent distribution to say anything (it sits in one or two deciles by construction)
      const info = this.set.features[f]!;
      if (info.group === 'calendar' || info.window > this.config.drift.recent / 2) continue;
      const col = this.set.columns[f]!;
      let n = 0;
      for (let i = r0 * A; i < (t + 1) * A; i++) {
        const v = col[i]!;
        if (v === v) buf[n++] = v;
      }
      if (n < MIN_CELLS) continue;
      const edges = new Float64Array(DRIFT_BINS - 1);
      quantileEdges(buf, n, DRIFT_BINS, edges);
      const p = new Float64Array(DRIFT_BINS);
      for (let i = 0; i < n; i++) p[binOf(buf[i]!, edges, DRIFT_BINS - 1)]!++;
      for (let b = 0; b < DRIFT_BINS; b++) p[b]! /= n;
      this.reference.push({ feature: f, edges, p });
    }
  }
}

/** The selector stepped over every row of a panel: the selections and, per row, the one in effect (-1: none yet). */
export interface SelectionRun {
  readonly history: readonly Selection[];
  readonly at: Int32Array;
  readonly config: SelectorConfig;
}

export function runSelector(set: FeatureSet, panel: BarPanel, config: SelectorConfigInput = {}, onProgress?: (done: number, total: number) => void): SelectionRun {
  const sel = new DynamicFeatureSelector(set, panel, config);
  const at = new Int32Array(panel.nTimes).fill(-1);
  for (let t = 0; t < panel.nTimes; t++) {
    sel.step(t);
    at[t] = sel.history.length - 1;
    if (onProgress && (t & 1023) === 0) onProgress(t, panel.nTimes);
  }
  onProgress?.(panel.nTimes, panel.nTimes);
  return { history: sel.history, at, config: sel.config };
}
