/**
 * Statistics a reviewer can check: the uncertainty of a Sharpe difference between two strategies run over the same
 * bars (a paired stationary block bootstrap, Politis & Romano 1994), the deflated Sharpe ratio of the winner of a
 * search (Bailey & Lopez de Prado 2014), and classification scores beside their trivial baselines.
 */
import { Rng } from '@arena/core';

/** Per-bar simple returns of an equity curve that started at initialCash (as computeMetrics reads them). */
export function barReturns(equity: Float64Array, initialCash: number): Float64Array {
  const r = new Float64Array(equity.length);
  let prev = initialCash;
  for (let t = 0; t < equity.length; t++) {
    const e = equity[t]!;
    r[t] = prev !== 0 ? e / prev - 1 : 0;
    prev = e;
  }
  return r;
}

/** Per-bar Sharpe (mean / sample sd) of the cells idx[0..n) of r; 0 when the sd is 0. */
function sharpeAt(r: Float64Array, idx: Int32Array | undefined, n: number): number {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r[idx ? idx[i]! : i]!;
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  }
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  return sd > 0 ? mean / sd : 0;
}

/**
 * Indices of one stationary bootstrap resample of 0..T-1: blocks start at uniform positions, their lengths are
 * geometric with mean `meanBlock`, and they wrap around the end.
 */
export function stationaryResample(T: number, meanBlock: number, rng: Rng, out: Int32Array): void {
  const p = 1 / Math.max(1, meanBlock);
  let k = Math.floor(rng.next() * T);
  for (let i = 0; i < T; i++) {
    if (i > 0) k = rng.next() < p ? Math.floor(rng.next() * T) : k + 1 === T ? 0 : k + 1;
    out[i] = k;
  }
}

export interface SharpeComparison {
  readonly a: string;
  readonly b: string;
  /** annualised Sharpe of a minus that of b, over the same bars */
  readonly sharpeDiff: number;
  /** the bootstrap's central interval of the difference (level: `level`) */
  readonly ciLow: number;
  readonly ciHigh: number;
  /**
   * two-sided, read off the same resamples as the interval: twice the smaller share of resampled differences on
   * either side of 0 (counting one more on each side, so never 0; at most 1). Up to that one resample, it is below
   * 1 - level exactly when the interval leaves 0 out.
   */
  readonly pValue: number;
  readonly level: number;
  readonly resamples: number;
  readonly meanBlock: number;
  readonly bars: number;
}

export interface CompareOptions {
  readonly resamples?: number;
  /** mean block length in bars (default: T^(1/3), at least the given minimum) */
  readonly meanBlock?: number;
  readonly minBlock?: number;
  readonly level?: number;
  readonly seed?: number;
}

/**
 * Paired stationary block bootstrap of the Sharpe difference of two return series over the same bars: each resample
 * draws the same bar indices for both, so what the two share (the market) cancels, and blocks keep the returns'
 * autocorrelation and volatility clusters.
 */
export function compareSharpe(a: string, ra: Float64Array, b: string, rb: Float64Array, periodsPerYear: number, o: CompareOptions = {}): SharpeComparison {
  const T = ra.length;
  if (rb.length !== T) throw new Error(`compareSharpe: ${a} has ${T} bars, ${b} has ${rb.length}`);
  const B = o.resamples ?? 2000;
  const level = o.level ?? 0.9;
  const meanBlock = o.meanBlock ?? Math.max(o.minBlock ?? 1, Math.round(Math.cbrt(T)));
  const ann = Math.sqrt(periodsPerYear);
  const observed = (sharpeAt(ra, undefined, T) - sharpeAt(rb, undefined, T)) * ann;
  const rng = new Rng(o.seed ?? 1);
  const idx = new Int32Array(T);
  const diffs = new Float64Array(B);
  for (let k = 0; k < B; k++) {
    stationaryResample(T, meanBlock, rng, idx);
    diffs[k] = (sharpeAt(ra, idx, T) - sharpeAt(rb, idx, T)) * ann;
  }
  // the interval's and the p-value's side counts come from the same resamples, so they cannot disagree (a centred
  // p-value, |d - observed| >= |observed|, did: on a contest holding the benchmark 92% of the bars, a 90% interval
  // of [-0.79, -0.02] came with p 0.135, the differences' distribution being skewed)
  let below = 0;
  let above = 0;
  for (let k = 0; k < B; k++) {
    if (diffs[k]! <= 0) below++;
    if (diffs[k]! >= 0) above++;
  }
  diffs.sort();
  const q = (p: number) => diffs[Math.min(B - 1, Math.max(0, Math.round(p * (B - 1))))]!;
  const pValue = Math.min(1, (2 * (Math.min(below, above) + 1)) / (B + 1));
  return { a, b, sharpeDiff: observed, ciLow: q((1 - level) / 2), ciHigh: q(1 - (1 - level) / 2), pValue, level, resamples: B, meanBlock, bars: T };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 through erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Standard normal quantile (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

const EULER_GAMMA = 0.5772156649015329;

export interface DeflatedSharpe {
  /** configurations tried */
  readonly trials: number;
  /** the winner's Sharpe per bar, and annualised */
  readonly sharpe: number;
  readonly sharpeAnnual: number;
  /** the Sharpe per bar the best of `trials` skill-less tries would show on average (annualised too) */
  readonly expectedMaxSharpe: number;
  readonly expectedMaxSharpeAnnual: number;
  /** P(true Sharpe > 0) after the selection, the sample length, skewness and kurtosis: above 0.95 is significant */
  readonly dsr: number;
}

/**
 * Deflated Sharpe ratio of the winner of a search (Bailey & Lopez de Prado 2014): `returns` are the winner's per-bar
 * returns over the bars it was chosen on, `trialSharpes` the per-bar Sharpe of every configuration tried there.
 */
export function deflatedSharpe(returns: Float64Array, trialSharpes: readonly number[], periodsPerYear: number): DeflatedSharpe {
  const T = returns.length;
  const N = trialSharpes.length;
  const sr = sharpeAt(returns, undefined, T);
  let mean = 0;
  for (const x of returns) mean += x / T;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of returns) {
    const d = x - mean;
    m2 += (d * d) / T;
    m3 += (d * d * d) / T;
    m4 += (d * d * d * d) / T;
  }
  const skew = m2 > 0 ? m3 / m2 ** 1.5 : 0;
  const kurt = m2 > 0 ? m4 / (m2 * m2) : 3;
  const trialMean = trialSharpes.reduce((s, x) => s + x, 0) / Math.max(1, N);
  const trialVar = N > 1 ? trialSharpes.reduce((s, x) => s + (x - trialMean) ** 2, 0) / (N - 1) : 0;
  const sr0 = N > 1 ? Math.sqrt(trialVar) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / N) + EULER_GAMMA * normalQuantile(1 - 1 / (N * Math.E))) : 0;
  const denom = Math.sqrt(Math.max(1e-12, 1 - skew * sr + ((kurt - 1) / 4) * sr * sr));
  const ann = Math.sqrt(periodsPerYear);
  return { trials: N, sharpe: sr, sharpeAnnual: sr * ann, expectedMaxSharpe: sr0, expectedMaxSharpeAnnual: sr0 * ann, dsr: normalCdf(((sr - sr0) * Math.sqrt(Math.max(0, T - 1))) / denom) };
}

export interface ClassScores {
  readonly accuracy: number | null;
  /** the mean of the per-class recalls over the classes present */
  readonly balancedAccuracy: number | null;
  /** the accuracy of always answering the most frequent class, and which class that is */
  readonly majorityRate: number | null;
  readonly majorityClass: number | null;
  readonly samples: number;
}

/** Accuracy, balanced accuracy and the majority-class rate of predictions against labels (classes 0..K-1). */
export function classScores(predicted: ArrayLike<number>, actual: ArrayLike<number>, K: number): ClassScores {
  const n = actual.length;
  const support = new Float64Array(K);
  const hits = new Float64Array(K);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i]!;
    support[y]!++;
    if (predicted[i] === y) {
      hits[y]!++;
      correct++;
    }
  }
  if (n === 0) return { accuracy: null, balancedAccuracy: null, majorityRate: null, majorityClass: null, samples: 0 };
  let present = 0;
  let recall = 0;
  let major = 0;
  for (let k = 0; k < K; k++) {
    if (support[k]! > support[major]!) major = k;
    if (support[k]! === 0) continue;
    present++;
    recall += hits[k]! / support[k]!;
  }
  return { accuracy: correct / n, balancedAccuracy: recall / present, majorityRate: support[major]! / n, majorityClass: major, samples: n };
}
