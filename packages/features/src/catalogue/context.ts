/** The per-call cache of the feature catalogue: panel matrices and shared intermediates, each computed once. */
import type { BarPanel } from '@arena/core';
import { LogReturnsKernel, RealizedVolKernel, RollingMeanKernel, type Matrix } from '@arena/kernels';
import type { FeatureInfo, FeatureInput } from '../featureSet.ts';

/** A catalogue entry: its description plus how to compute its column from the shared context. */
export interface FeatureDef extends FeatureInfo {
  /** [t * nAssets + a]; may return an array the context holds (the caller copies those before masking) */
  compute(ctx: FeatureContext): Float64Array;
}

export class FeatureContext {
  readonly panel: BarPanel;
  readonly funding: Float64Array | undefined;
  readonly nTimes: number;
  readonly nAssets: number;
  private readonly memo = new Map<string, unknown>();
  /** arrays held by the memo: a feature returning one of these gets a copy */
  private readonly held = new Set<Float64Array>();

  constructor(input: FeatureInput) {
    this.panel = input.panel;
    this.nTimes = input.panel.nTimes;
    this.nAssets = input.panel.nAssets;
    const n = this.nTimes * this.nAssets;
    if (input.funding !== undefined && input.funding.length !== n) {
      throw new Error(`funding has ${input.funding.length} values; the panel needs ${this.nTimes} x ${this.nAssets} = ${n}`);
    }
    this.funding = input.funding;
    // the caller's arrays: a feature that passes one through is copied before masking, never written to
    for (const column of [input.funding, this.panel.open, this.panel.high, this.panel.low, this.panel.close, this.panel.volume]) {
      if (column !== undefined) this.held.add(column);
    }
  }

  /** Computes `make` once per key; matrices and arrays it returns are marked as held. */
  cached<T>(key: string, make: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = make();
    this.memo.set(key, value);
    // a value, or the arrays and matrices of an object of them (e.g. Macd's { macd, signal, histogram })
    for (const part of value instanceof Float64Array || isMatrix(value) ? [value] : Object.values(value as object)) {
      if (part instanceof Float64Array) this.held.add(part);
      else if (isMatrix(part)) this.held.add(part.data);
    }
    return value;
  }

  isHeld(column: Float64Array): boolean {
    return this.held.has(column);
  }

  /** A panel field as a kernel matrix (a view, no copy). */
  m(data: Float64Array, cols = this.nAssets): Matrix {
    return { rows: this.nTimes, cols, data };
  }

  get close(): Matrix {
    return this.m(this.panel.close);
  }

  /** ln(close_t / close_{t-lag}) */
  logReturns(lag: number): Float64Array {
    return this.cached(`ret:${lag}`, () => LogReturnsKernel.cpu(this.close, { lags: [lag] })[0]!.data);
  }

  /** sample std of the last `window` one-bar log returns, per bar */
  realizedVol(window: number): Float64Array {
    return this.cached(`rvol:${window}`, () => RealizedVolKernel.cpu(this.close, { window }).data);
  }

  rollingMean(key: string, data: Float64Array, window: number, cols = this.nAssets): Float64Array {
    return this.cached(`mean:${key}:${window}:${cols}`, () => RollingMeanKernel.cpu(this.m(data, cols), { window }).data);
  }

  /** |ln(close_t / close_{t-1})| */
  absReturns(): Float64Array {
    return this.cached('absret', () => map1(this.logReturns(1), Math.abs));
  }

  /** close x volume */
  dollarVolume(): Float64Array {
    return this.cached('dollarvol', () => map2(this.panel.close, this.panel.volume, (c, v) => c * v));
  }

  /**
   * The market's one-bar log return per row: the equal-weight mean of the returns of the assets present at t that
   * have one (NaN when none has).
   */
  marketReturns(): Float64Array {
    return this.cached('market', () => {
      const { nTimes: T, nAssets: A } = this;
      const r = this.logReturns(1);
      const present = this.panel.present;
      const out = new Float64Array(T).fill(NaN);
      for (let t = 0; t < T; t++) {
        let sum = 0;
        let n = 0;
        for (let a = 0, i = t * A; a < A; a++, i++) {
          const v = r[i]!;
          if (present[i] && v === v) {
            sum += v;
            n++;
          }
        }
        if (n > 0) out[t] = sum / n;
      }
      return out;
    });
  }

  /** The asset returns with the market return appended as column nAssets ([t * (A + 1) + c]). */
  returnsWithMarket(): Float64Array {
    return this.cached('ret+market', () => {
      const { nTimes: T, nAssets: A } = this;
      const r = this.logReturns(1);
      const market = this.marketReturns();
      const out = new Float64Array(T * (A + 1));
      for (let t = 0; t < T; t++) {
        out.set(r.subarray(t * A, (t + 1) * A), t * (A + 1));
        out[t * (A + 1) + A] = market[t]!;
      }
      return out;
    });
  }

  /** The market's log return over the last `window` bars (the sum of its one-bar returns), one value per row. */
  marketReturnOver(window: number): Float64Array {
    return this.cached(`market:${window}`, () => map1(this.rollingMean('market', this.marketReturns(), window, 1), (v) => v * window));
  }

  /** The column of the first symbol starting with BTC, else -1. */
  btcColumn(): number {
    return this.panel.symbols.findIndex((s) => s.toUpperCase().startsWith('BTC'));
  }
}

function isMatrix(v: unknown): v is Matrix {
  return typeof v === 'object' && v !== null && (v as Matrix).data instanceof Float64Array;
}

/** f over every cell (NaN in, NaN out for the usual Math functions). */
export function map1(x: Float64Array, f: (v: number) => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

export function map2(x: Float64Array, y: Float64Array, f: (a: number, b: number) => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!, y[i]!);
  return out;
}

/** [i] = x[i] / y[i] where y[i] > 0, else NaN (a loop of its own: a shared callback would be a megamorphic call per cell) */
export function ratios(x: Float64Array, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = y[i]!;
    out[i] = b > 0 ? x[i]! / b : NaN;
  }
  return out;
}

/** [i] = ln(x[i] / y[i]) where both are > 0, else NaN */
export function logRatios(x: Float64Array, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    out[i] = a > 0 && b > 0 ? Math.log(a / b) : NaN;
  }
  return out;
}

/** a / b where b > 0, else NaN (a zero or negative scale leaves a ratio undefined, not infinite). */
export const safeRatio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/** ln(a / b) where both are > 0, else NaN. */
export const logRatio = (a: number, b: number): number => (a > 0 && b > 0 ? Math.log(a / b) : NaN);

/** Columns [0, cols) of a matrix with `cols + extra` columns. */
export function firstColumns(data: Float64Array, rows: number, width: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) out.set(data.subarray(t * width, t * width + cols), t * cols);
  return out;
}

/** One value per row repeated across the assets. */
export function broadcastRows(perRow: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(perRow.length * cols);
  for (let t = 0; t < perRow.length; t++) out.fill(perRow[t]!, t * cols, (t + 1) * cols);
  return out;
}

/**
 * NaN where an asset has fewer than `bars` present bars up to and including t: the warm-up of EMA-based features
 * (their kernels seed at the first value), so that their first value comes `bars - 1` rows in like a rolling window's.
 * Modifies `column` in place and returns it.
 */
export function maskWarmup(column: Float64Array, present: Uint8Array, cols: number, bars: number): Float64Array {
  const rows = column.length / cols;
  for (let a = 0; a < cols; a++) {
    let seen = 0;
    for (let t = 0; t < rows && seen < bars; t++) {
      const i = t * cols + a;
      seen += present[i]!;
      if (seen < bars) column[i] = NaN;
    }
  }
  return column;
}
