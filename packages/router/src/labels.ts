/**
 * Hindsight targets for training and the oracle (never inputs): per (bar t, asset a), over the asset's own next bars
 * (a row where it has no bar, such as a holiday or another contract's session, is skipped; a window that would
 * span more than twice its length in panel rows is not labelled):
 * - the regime of the forward window (t, t + regimeHorizon]: `volatile` when its realised volatility (demeaned) exceeds
 *   volatileMult x the trailing 720-bar volatility at t; else `trend_up` / `trend_down` when the window's log return
 *   exceeds trendT standard errors (sigma x sqrt(bars)) up or down; else `range`;
 * - per expert, the forward risk-adjusted gain over `horizon` bars of following it from bar t:
 *   gain_e = sum_k x_e[t+k-1] r[t+k] / (sigma_f sqrt(H)) with sigma_f the forward realised volatility (floored at
 *   half the trailing one), and its own turnover cost inside the window, cost x sum_k |x_e[t+k] - x_e[t+k-1]| / (sigma_f sqrt(H));
 * - the cost of moving from the previous bar's equal-weight exposure to the chosen one, per unit: cost / (sigma_f sqrt(H)).
 * The reward of a weight vector w (linear in w except the entry cost) is
 *   R(w) = sum_e w_e (gain_e - turnover_e) - entryCost x |sum_e w_e x_e[t] - xref|,  xref = mean_e x_e[t-1];
 * the oracle distribution is softmax over experts of R(one-hot e) / oracleTemp.
 */
import { type BarPanel, REGIMES } from '@arena/core';
import { softmaxInto } from './policy.ts';

export interface LabelOptions {
  /** bars of the forward window that defines the reward */
  readonly horizon: number;
  /** bars of the forward window that defines the regime */
  readonly regimeHorizon: number;
  /** cost per unit of exposure traded, fraction (fees + half spread) */
  readonly cost: number;
  readonly volatileMult: number;
  readonly trendT: number;
  readonly oracleTemp: number;
}

export const DEFAULT_LABELS: LabelOptions = { horizon: 24, regimeHorizon: 24, cost: 0.0012, volatileMult: 1.5, trendT: 1, oracleTemp: 0.2 };

export interface Hindsight {
  readonly nExperts: number;
  /** regime index per cell, -1 where the window is incomplete */
  readonly regime: Int8Array;
  /** [cell * E + e] */
  readonly gain: Float32Array;
  readonly turnover: Float32Array;
  /** exposures at t [cell * E + e] and the equal-weight exposure at t - 1 */
  readonly entry: Float32Array;
  readonly xref: Float32Array;
  readonly entryCost: Float32Array;
  /** 1 where every reward term is defined */
  readonly valid: Uint8Array;
}

const RANGE = REGIMES.indexOf('range');
const UP = REGIMES.indexOf('trend_up');
const DOWN = REGIMES.indexOf('trend_down');
const VOLATILE = REGIMES.indexOf('volatile');

export function hindsight(panel: BarPanel, experts: readonly Float64Array[], o: LabelOptions): Hindsight {
  const A = panel.nAssets;
  const T = panel.nTimes;
  const E = experts.length;
  const N = T * A;
  const { close, present } = panel;
  const regime = new Int8Array(N).fill(-1);
  const gain = new Float32Array(N * E);
  const turnover = new Float32Array(N * E);
  const entry = new Float32Array(N * E);
  const xref = new Float32Array(N);
  const entryCost = new Float32Array(N);
  const valid = new Uint8Array(N);
  const H = o.horizon;
  const HR = o.regimeHorizon;
  const r = new Float64Array(T);
  const trailVar = new Float64Array(T);
  const al = 2 / 721;
  const M = Math.max(H, HR);
  // the asset's own bars: rows where it is present with a close (a calendar gap is skipped, not a hole)
  const rows = new Int32Array(T);
  for (let a = 0; a < A; a++) {
    let n = 0;
    for (let t = 0; t < T; t++) if (present[t * A + a] === 1 && close[t * A + a]! > 0) rows[n++] = t;
    // log returns from each bar to the asset's next one, and the trailing 720-bar EWMA variance
    let v = 0;
    for (let i = 0; i < n; i++) {
      r[i] = i > 0 ? Math.log(close[rows[i]! * A + a]! / close[rows[i - 1]! * A + a]!) : 0;
      if (i > 0) v = i === 1 ? r[i]! * r[i]! : v + al * (r[i]! * r[i]! - v);
      trailVar[i] = v;
    }
    for (let i = 1; i + M < n; i++) {
      const t = rows[i]!;
      // the next M bars of the asset, over at most 2M rows of the panel (holidays and sessions skipped, not delistings)
      if (rows[i + M]! - t > 2 * M) continue;
      const cell = t * A + a;
      const trail = Math.sqrt(trailVar[i]!);
      if (!(trail > 0)) continue;
      // regime of the next HR bars
      let s = 0;
      let ss = 0;
      for (let k = 1; k <= HR; k++) {
        s += r[i + k]!;
        ss += r[i + k]! * r[i + k]!;
      }
      // the window's volatility around its own drift (a steady rally is a trend, not a storm)
      const volR = Math.sqrt(Math.max(0, ss / HR - (s / HR) ** 2));
      const tstat = s / (Math.max(volR, 0.5 * trail) * Math.sqrt(HR));
      regime[cell] = volR > o.volatileMult * trail ? VOLATILE : tstat > o.trendT ? UP : tstat < -o.trendT ? DOWN : RANGE;
      // reward terms over the next H bars
      let sh = 0;
      for (let k = 1; k <= H; k++) sh += r[i + k]! * r[i + k]!;
      const scale = Math.max(Math.sqrt(sh / H), 0.5 * trail) * Math.sqrt(H);
      let ref = 0;
      for (let e = 0; e < E; e++) {
        const x = experts[e]!;
        let g = 0;
        let to = 0;
        for (let k = 1; k <= H; k++) {
          g += x[rows[i + k - 1]! * A + a]! * r[i + k]!;
          if (k < H) to += Math.abs(x[rows[i + k]! * A + a]! - x[rows[i + k - 1]! * A + a]!);
        }
        gain[cell * E + e] = g / scale;
        turnover[cell * E + e] = (o.cost * to) / scale;
        entry[cell * E + e] = x[cell]!;
        ref += x[rows[i - 1]! * A + a]!;
      }
      xref[cell] = ref / E;
      entryCost[cell] = o.cost / scale;
      valid[cell] = 1;
    }
  }
  return { nExperts: E, regime, gain, turnover, entry, xref, entryCost, valid };
}

/** R(w) for cell c: see the module comment. */
export function reward(h: Hindsight, c: number, w: ArrayLike<number>, wOffset = 0): number {
  const E = h.nExperts;
  let r = 0;
  let x = 0;
  for (let e = 0; e < E; e++) {
    const we = w[wOffset + e]!;
    r += we * (h.gain[c * E + e]! - h.turnover[c * E + e]!);
    x += we * h.entry[c * E + e]!;
  }
  return r - h.entryCost[c]! * Math.abs(x - h.xref[c]!);
}

/** The oracle's soft distribution over experts at cell c (written at out[offset...]). */
export function oracleDistribution(h: Hindsight, c: number, temp: number, out: Float32Array, offset: number): void {
  const E = h.nExperts;
  // the reward of each expert alone (reward() with one-hot weights), then their softmax in place
  for (let e = 0; e < E; e++) {
    const k = c * E + e;
    out[offset + e] = h.gain[k]! - h.turnover[k]! - h.entryCost[c]! * Math.abs(h.entry[k]! - h.xref[c]!);
  }
  softmaxInto(out, offset, E, temp, out, offset);
}
