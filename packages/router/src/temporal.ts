/**
 * The router's temporal inputs per (bar, asset), all causal (bar t reads bars <= t only):
 * - long horizon: log returns over 24, 72, 168 and 336 bars in units of the 168-bar volatility (sqrt-time scaled),
 *   volatility ratios 24/168 and 168/720 (logs), the efficiency ratio over 48 bars, the drawdown from the 168-bar
 *   high and the position in the 168-bar range;
 * - each expert's recent realised net performance: EWMA (spans 24 and 168) of exposure[t-1] x return[t] minus
 *   `cost` x |exposure[t-1] - exposure[t-2]| (what following it alone paid in costs; cost 0 on routers trained before
 *   it existed: gross), over the EWMA of return^2 (a correlation-like score in about [-1, 1]);
 * - each expert's exposure at t;
 * - the feature catalogue z-scored and masked by the dynamic selection in effect (zeros where not selected).
 * A TemporalState steps bar by bar with fixed-size rings and no allocation; the batch path is the same stepping
 * over every bar, so a backtest and paper trading compute identical vectors.
 */
import type { BarPanel } from '@arena/core';
import type { ConvInputs } from '@arena/features';

export const LONG_HORIZON = ['ret_24', 'ret_72', 'ret_168', 'ret_336', 'vol_ratio_24_168', 'vol_ratio_168_720', 'efficiency_48', 'drawdown_168', 'range_pos_168'] as const;
const RET_LAGS = [24, 72, 168, 336] as const;
const RING = 337;
const CLIP = 5;
const PERF_SPANS = [24, 168] as const;
const VOL_SPANS = [24, 168, 720] as const;

/** Names of the vector's entries for the given experts and catalogue features. */
export function temporalNames(experts: readonly string[], features: readonly string[]): string[] {
  return [
    ...LONG_HORIZON,
    ...experts.flatMap((e) => PERF_SPANS.map((s) => `perf_${e}_${s}`)),
    ...experts.map((e) => `exposure_${e}`),
    ...features.map((f) => `z_${f}`),
  ];
}

export function temporalDim(nExperts: number, nFeatures: number): number {
  return LONG_HORIZON.length + nExperts * (PERF_SPANS.length + 1) + nFeatures;
}

const alpha = (span: number) => 2 / (span + 1);
const clip = (v: number) => (v !== v ? 0 : v > CLIP ? CLIP : v < -CLIP ? -CLIP : v);

export class TemporalState {
  readonly dim: number;
  private readonly ring: Float64Array;
  private readonly var: Float64Array; // per asset: EWMA r^2 at spans 24, 168, 720
  private readonly perf: Float64Array; // per asset, expert, span: EWMA pnl, EWMA r^2
  private readonly seen: Int32Array; // present bars so far per asset
  private readonly last: Float32Array; // last vector per asset (repeated on a missing bar)
  private readonly expoNow: Float64Array; // step's scratch rows [e * A + a]
  private readonly expoPrev: Float64Array;
  /** the exposures two bars back [e * A + a] (the previous call's prevExposure), for the turnover cost */
  private readonly expoPrev2: Float64Array;
  private hasPrev2 = false;

  constructor(
    readonly nAssets: number,
    readonly nExperts: number,
    readonly nFeatures: number,
    /** cost per unit of exposure traded, charged in the experts' performance inputs (0: gross) */
    readonly cost = 0,
  ) {
    this.dim = temporalDim(nExperts, nFeatures);
    this.ring = new Float64Array(nAssets * RING);
    this.var = new Float64Array(nAssets * 3);
    this.perf = new Float64Array(nAssets * nExperts * PERF_SPANS.length * 2);
    this.seen = new Int32Array(nAssets);
    this.last = new Float32Array(nAssets * this.dim);
    this.expoNow = new Float64Array(nExperts * nAssets);
    this.expoPrev = new Float64Array(nExperts * nAssets);
    this.expoPrev2 = new Float64Array(nExperts * nAssets);
  }

  /** The close `lag` present bars back in the asset's ring at rb (the oldest kept once there are fewer). */
  private back(rb: number, n: number, lag: number): number {
    return this.ring[rb + ((n - Math.min(lag, n)) % RING)]!;
  }

  /**
   * Consumes one bar of every asset and writes the vectors at out[offset + a * dim ...]. `close` and `present` are
   * the bar's rows; `prevExposure` and `exposure` the experts' exposures at the previous bar and at this one,
   * [e * nAssets + a] (prevExposure undefined at the first bar); `z`, when given, the bar's z-scored features
   * [a * nFeatures + f], masked by `mask` (undefined: before the first selection, zeros).
   */
  stepRow(close: ArrayLike<number>, present: ArrayLike<number>, prevExposure: Float64Array | undefined, exposure: Float64Array, z: Float32Array | undefined, mask: Float32Array | undefined, out: Float32Array, offset: number): void {
    const A = this.nAssets;
    const D = this.dim;
    const E = this.nExperts;
    for (let a = 0; a < A; a++) {
      const o = offset + a * D;
      const c = close[a]!;
      if (present[a] !== 1 || !(c > 0)) {
        for (let j = 0; j < D; j++) out[o + j] = this.last[a * D + j]!;
        continue;
      }
      const n = this.seen[a]!;
      const rb = a * RING;
      const prev = n > 0 ? this.ring[rb + ((n - 1) % RING)]! : c;
      this.ring[rb + (n % RING)] = c;
      this.seen[a] = n + 1;
      const r = Math.log(c / prev);
      const r2 = r * r;
      const vb = a * 3;
      for (let k = 0; k < 3; k++) {
        this.var[vb + k] = n === 0 ? 0 : n === 1 ? r2 : this.var[vb + k]! + alpha(VOL_SPANS[k]!) * (r2 - this.var[vb + k]!);
      }
      const s24 = Math.sqrt(this.var[vb]!);
      const s168 = Math.sqrt(this.var[vb + 1]!);
      const s720 = Math.sqrt(this.var[vb + 2]!);
      let j = o;
      for (const lag of RET_LAGS) out[j++] = s168 > 0 ? clip(Math.log(c / this.back(rb, n, lag)) / (s168 * Math.sqrt(lag))) : 0;
      out[j++] = s168 > 0 && s24 > 0 ? clip(Math.log(s24 / s168)) : 0;
      out[j++] = s720 > 0 && s168 > 0 ? clip(Math.log(s168 / s720)) : 0;
      // efficiency ratio over 48 bars, then the 168-bar high/low
      const m48 = Math.min(48, n);
      let path = 0;
      for (let k = 0; k < m48; k++) path += Math.abs(this.back(rb, n, k) - this.back(rb, n, k + 1));
      out[j++] = path > 0 ? (this.back(rb, n, 0) - this.back(rb, n, m48)) / path : 0;
      const m168 = Math.min(167, n);
      let hi = c;
      let lo = c;
      for (let k = 1; k <= m168; k++) {
        const v = this.back(rb, n, k);
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
      out[j++] = s168 > 0 ? clip(Math.log(c / hi) / (s168 * Math.sqrt(168))) : 0;
      out[j++] = hi > lo ? (c - lo) / (hi - lo) - 0.5 : 0;
      // experts: realised performance of the previous bar's exposure, then the exposure now
      const pb = a * E * PERF_SPANS.length * 2;
      for (let e = 0; e < E; e++) {
        let pnl = prevExposure !== undefined && n > 0 ? prevExposure[e * A + a]! * r : 0;
        if (this.cost > 0 && prevExposure !== undefined && this.hasPrev2 && n > 0) {
          const traded = Math.abs(prevExposure[e * A + a]! - this.expoPrev2[e * A + a]!);
          if (traded === traded) pnl -= this.cost * traded;
        }
        for (let k = 0; k < PERF_SPANS.length; k++) {
          const q = pb + (e * PERF_SPANS.length + k) * 2;
          const al = alpha(PERF_SPANS[k]!);
          if (n > 0) {
            this.perf[q] = this.perf[q]! + al * ((pnl === pnl ? pnl : 0) - this.perf[q]!);
            this.perf[q + 1] = this.perf[q + 1]! + al * (r2 - this.perf[q + 1]!);
          }
          const v = this.perf[q + 1]!;
          out[j++] = v > 0 ? clip(this.perf[q]! / v) : 0;
        }
      }
      for (let e = 0; e < E; e++) {
        const v = exposure[e * A + a]!;
        out[j++] = v === v ? v : 0;
      }
      const F = this.nFeatures;
      if (z === undefined || mask === undefined) for (let f = 0; f < F; f++) out[j++] = 0;
      else for (let f = 0; f < F; f++) out[j++] = mask[f]! * z[a * F + f]!;
      for (let k = 0; k < D; k++) this.last[a * D + k] = out[o + k]!;
    }
    if (this.cost > 0) {
      if (prevExposure !== undefined) this.expoPrev2.set(prevExposure.subarray(0, E * A));
      this.hasPrev2 = prevExposure !== undefined;
    }
  }

  /**
   * Bar t of a panel: the same as stepRow on the panel's row t, with the experts' exposure series (time-major
   * [t * A + a]) and the batch inputs `features` (z-scores and the selection in effect at t).
   */
  step(panel: BarPanel, t: number, experts: readonly Float64Array[], features: ConvInputs | undefined, out: Float32Array, offset: number): void {
    const A = this.nAssets;
    const sel = features === undefined ? -1 : features.at[t]!;
    const z = features === undefined ? undefined : features.z.subarray(t * A * features.nFeatures, (t + 1) * A * features.nFeatures);
    this.stepBar(panel, t, experts, z, sel < 0 ? undefined : features!.masks[sel], out, offset);
  }

  /** step with bar t's z-scores ([a * F + f]) and the selection's mask in effect given as they are (a loop that has them). */
  stepBar(panel: BarPanel, t: number, experts: readonly Float64Array[], z: Float32Array | undefined, mask: Float32Array | undefined, out: Float32Array, offset: number): void {
    const A = this.nAssets;
    const E = this.nExperts;
    for (let e = 0; e < E; e++) {
      for (let a = 0; a < A; a++) {
        this.expoNow[e * A + a] = experts[e]![t * A + a]!;
        this.expoPrev[e * A + a] = t > 0 ? experts[e]![(t - 1) * A + a]! : NaN;
      }
    }
    this.stepRow(panel.close.subarray(t * A, (t + 1) * A), panel.present.subarray(t * A, (t + 1) * A), t > 0 ? this.expoPrev : undefined, this.expoNow, z, mask, out, offset);
  }
}

/** Temporal vectors of every bar and asset: [(t * A + a) * dim + j]. */
export function buildTemporal(panel: BarPanel, experts: readonly Float64Array[], features: ConvInputs | undefined, nFeatures: number, cost = 0): { x: Float32Array; dim: number } {
  const state = new TemporalState(panel.nAssets, experts.length, nFeatures, cost);
  const D = state.dim;
  const A = panel.nAssets;
  const x = new Float32Array(panel.nTimes * A * D);
  for (let t = 0; t < panel.nTimes; t++) state.step(panel, t, experts, features, x, t * A * D);
  return { x, dim: D };
}
