/**
 * Row streams of the recursive and lagged kernels: EMA, Wilder's RSI and ATR, realized volatility, log returns over
 * a lag, and rolling correlation with a reference column. Same contract as rolling.ts: one row per push, the batch
 * reference's arithmetic in the same order, bounded memory.
 */

/** Exponential moving average seeded at the first value, NaN rows skipped (ops/ema.ts emaColumns). */
export class EmaStream {
  readonly value: Float64Array;
  private readonly s: Float64Array;

  constructor(
    readonly cols: number,
    readonly alpha: number,
  ) {
    this.s = new Float64Array(cols).fill(NaN);
    this.value = new Float64Array(cols);
  }

  /** Writes the row's EMA into `value` (NaN where the input is NaN; the state is kept). */
  push(x: ArrayLike<number>, xOff: number): void {
    for (let c = 0; c < this.cols; c++) {
      const v = x[xOff + c]!;
      if (v !== v) {
        this.value[c] = NaN;
        continue;
      }
      const s = this.s[c]!;
      this.s[c] = s !== s ? v : s + this.alpha * (v - s);
      this.value[c] = this.s[c]!;
    }
  }
}

/** Wilder's RSI (ops/rsi.ts): gains and losses of close-to-close changes smoothed with alpha = 1 / window. */
export class RsiStream {
  private readonly gain: Float64Array;
  private readonly loss: Float64Array;
  private readonly seen: Int32Array;
  private readonly prev: Float64Array;
  private readonly alpha: number;

  constructor(
    readonly cols: number,
    readonly window: number,
  ) {
    this.gain = new Float64Array(cols);
    this.loss = new Float64Array(cols);
    this.seen = new Int32Array(cols);
    this.prev = new Float64Array(cols).fill(NaN);
    this.alpha = 1 / window;
  }

  push(close: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const alpha = this.alpha;
    for (let c = 0; c < this.cols; c++) {
      const now = close[xOff + c]!;
      const change = now - this.prev[c]!;
      this.prev[c] = now;
      out[outOff + c] = NaN;
      if (change !== change) continue;
      const g = change > 0 ? change : 0;
      const l = change < 0 ? -change : 0;
      if (this.seen[c] === 0) {
        this.gain[c] = g;
        this.loss[c] = l;
      } else {
        this.gain[c] = this.gain[c]! + alpha * (g - this.gain[c]!);
        this.loss[c] = this.loss[c]! + alpha * (l - this.loss[c]!);
      }
      this.seen[c]!++;
      if (this.seen[c]! >= this.window) {
        const gain = this.gain[c]!;
        const loss = this.loss[c]!;
        out[outOff + c] = gain + loss > 0 ? (100 * gain) / (gain + loss) : 50;
      }
    }
  }
}

/** Wilder's average true range (ops/atr.ts): the true range against the previous row's close, smoothed by 1 / window. */
export class AtrStream {
  private readonly atr: Float64Array;
  private readonly seen: Int32Array;
  private readonly prevClose: Float64Array;
  private readonly alpha: number;

  constructor(
    readonly cols: number,
    readonly window: number,
  ) {
    this.atr = new Float64Array(cols);
    this.seen = new Int32Array(cols);
    this.prevClose = new Float64Array(cols).fill(NaN);
    this.alpha = 1 / window;
  }

  push(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    for (let c = 0; c < this.cols; c++) {
      const h = high[xOff + c]!;
      const l = low[xOff + c]!;
      const prev = this.prevClose[c]!;
      this.prevClose[c] = close[xOff + c]!;
      const ref = prev === prev ? prev : l;
      const up = h - ref;
      const down = ref - l;
      out[outOff + c] = NaN;
      if (up !== up || down !== down) continue;
      const tr = Math.max(up, 0) + Math.max(down, 0);
      this.atr[c] = this.seen[c] === 0 ? tr : this.atr[c]! + this.alpha * (tr - this.atr[c]!);
      this.seen[c]!++;
      if (this.seen[c]! >= this.window) out[outOff + c] = this.atr[c]!;
    }
  }
}

/** ln(x_t / x_{t-lag}) where both are > 0 (ops/logReturns.ts), from a ring of the last `lag` rows. */
export class LogReturnStream {
  private readonly ring: Float64Array;
  private t = 0;

  constructor(
    readonly cols: number,
    readonly lag: number,
  ) {
    this.ring = new Float64Array(lag * cols);
  }

  push(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const { cols, lag, ring, t } = this;
    const slot = (t % lag) * cols;
    for (let c = 0; c < cols; c++) {
      const now = x[xOff + c]!;
      const then = ring[slot + c]!;
      ring[slot + c] = now;
      out[outOff + c] = t >= lag && now > 0 && then > 0 ? Math.log(now / then) : NaN;
    }
    this.t = t + 1;
  }
}

/**
 * Sample std of the last `window` one-bar log returns (ops/realizedVol.ts): sliding sums of the returns less the
 * column's first return, and a count of NaNs in the window.
 */
export class RealizedVolStream {
  private readonly prevClose: Float64Array;
  private readonly shift: Float64Array;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly nans: Int32Array;
  private readonly ring: Float64Array;
  private t = 0;

  constructor(
    readonly cols: number,
    readonly window: number,
  ) {
    this.prevClose = new Float64Array(cols).fill(NaN);
    this.shift = new Float64Array(cols).fill(NaN);
    this.sum = new Float64Array(cols);
    this.sumSq = new Float64Array(cols);
    this.nans = new Int32Array(cols);
    this.ring = new Float64Array(window * cols);
  }

  push(close: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const { cols, window, ring, t } = this;
    const slot = (t % window) * cols;
    for (let c = 0; c < cols; c++) {
      const now = close[xOff + c]!;
      const then = this.prevClose[c]!;
      this.prevClose[c] = now;
      out[outOff + c] = NaN;
      if (t === 0) continue;
      const r = now > 0 && then > 0 ? Math.log(now / then) : NaN;
      // the row t - window leaving the window shares this ring slot
      const leaving = ring[slot + c]!;
      ring[slot + c] = r;
      if (this.shift[c] !== this.shift[c] && r === r) this.shift[c] = r;
      const shift = this.shift[c]!;
      const v = r - shift;
      if (v !== v) this.nans[c]!++;
      else {
        this.sum[c] = this.sum[c]! + v;
        this.sumSq[c] = this.sumSq[c]! + v * v;
      }
      if (t > window) {
        const old = leaving - shift;
        if (old !== old) this.nans[c]!--;
        else {
          this.sum[c] = this.sum[c]! - old;
          this.sumSq[c] = this.sumSq[c]! - old * old;
        }
      }
      if (t >= window && this.nans[c] === 0) {
        const sum = this.sum[c]!;
        out[outOff + c] = Math.sqrt(Math.max(0, (this.sumSq[c]! - (sum * sum) / window) / (window - 1)));
      }
    }
    this.t = t + 1;
  }
}

/**
 * Rolling correlation of every column with column `ref` (ops/correlation.ts): sliding sums of each column and the
 * reference less their first values, with a count of rows where either is NaN; NaN where either variance is 0.
 */
export class RollingCorrelationStream {
  private readonly shift: Float64Array;
  private readonly sa: Float64Array;
  private readonly sb: Float64Array;
  private readonly saa: Float64Array;
  private readonly sbb: Float64Array;
  private readonly sab: Float64Array;
  private readonly nans: Int32Array;
  private readonly ring: Float64Array;
  private t = 0;

  constructor(
    readonly cols: number,
    readonly window: number,
    readonly ref: number,
  ) {
    this.shift = new Float64Array(cols).fill(NaN);
    this.sa = new Float64Array(cols);
    this.sb = new Float64Array(cols);
    this.saa = new Float64Array(cols);
    this.sbb = new Float64Array(cols);
    this.sab = new Float64Array(cols);
    this.nans = new Int32Array(cols);
    this.ring = new Float64Array(window * cols);
  }

  push(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const { cols, window, ring, ref, t } = this;
    const slot = (t % window) * cols;
    for (let c = 0; c < cols; c++) {
      const v = x[xOff + c]!;
      if (this.shift[c] !== this.shift[c] && v === v) this.shift[c] = v;
    }
    const shiftRef = this.shift[ref]!;
    const refNow = x[xOff + ref]!;
    const refOld = ring[slot + ref]!;
    for (let c = 0; c < cols; c++) {
      const shift = this.shift[c]!;
      this.add(c, x[xOff + c]! - shift, refNow - shiftRef, 1);
      if (t >= window) this.add(c, ring[slot + c]! - shift, refOld - shiftRef, -1);
      out[outOff + c] = NaN;
      if (t < window - 1 || this.nans[c]! > 0) continue;
      const sa = this.sa[c]!;
      const sb = this.sb[c]!;
      const va = this.saa[c]! - (sa * sa) / window;
      const vb = this.sbb[c]! - (sb * sb) / window;
      if (va > 0 && vb > 0) out[outOff + c] = (this.sab[c]! - (sa * sb) / window) / Math.sqrt(va * vb);
    }
    for (let c = 0; c < cols; c++) ring[slot + c] = x[xOff + c]!;
    this.t = t + 1;
  }

  private add(c: number, a: number, b: number, sign: number): void {
    if (a !== a || b !== b) {
      this.nans[c] = this.nans[c]! + sign;
      return;
    }
    this.sa[c] = this.sa[c]! + sign * a;
    this.sb[c] = this.sb[c]! + sign * b;
    this.saa[c] = this.saa[c]! + sign * a * a;
    this.sbb[c] = this.sbb[c]! + sign * b * b;
    this.sab[c] = this.sab[c]! + sign * a * b;
  }
}
