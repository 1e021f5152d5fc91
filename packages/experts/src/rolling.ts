/**
 * Rolling state of one asset's series: a fixed window's sum / sum of squares, and a windowed extreme by
 * monotonic deque. O(1) amortised per value, no allocation after construction. One object per asset, so
 * an expert's inner loop over time touches only this asset's state.
 */

/** Sum and sum of squares of the last `window` values (shifted by the first value, for precision). */
export class RollingWindow {
  private readonly buf: Float64Array;
  private sum = 0;
  private sumSq = 0;
  private count = 0;
  private cursor = 0;
  private anchor = 0;

  constructor(readonly window: number) {
    this.buf = new Float64Array(window);
  }

  push(value: number): void {
    if (this.count === 0 && this.cursor === 0) this.anchor = value;
    const x = value - this.anchor;
    const cur = this.cursor;
    if (this.count === this.window) {
      const old = this.buf[cur]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.count++;
    }
    this.buf[cur] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.cursor = cur + 1 === this.window ? 0 : cur + 1;
  }

  /** Values in the window (at most `window`). */
  size(): number {
    return this.count;
  }

  mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count + this.anchor;
  }

  /** Population variance over the window. */
  variance(): number {
    if (this.count === 0) return NaN;
    const m = this.sum / this.count;
    const v = this.sumSq / this.count - m * m;
    return v > 0 ? v : 0;
  }
}

/**
 * Maximum (or minimum) of the last `window` pushed values, streaming van Herk / Gil-Werman: values are cut
 * into blocks of `window`; when a block fills, its suffix extremes are computed once (O(window) per block, so
 * O(1) per value); the window's extreme is then max(suffix of the previous block from the current position,
 * running prefix extreme of the current block). About three comparisons per value, no data-dependent loops.
 */
export class RollingExtreme {
  private readonly block: Float64Array;
  private readonly suffix: Float64Array;
  private readonly sign: number;
  private pos = 0;
  private prefix = -Infinity;
  private count = 0;

  constructor(
    readonly window: number,
    kind: 'max' | 'min',
  ) {
    this.block = new Float64Array(window);
    this.suffix = new Float64Array(window).fill(-Infinity);
    this.sign = kind === 'max' ? 1 : -1;
  }

  push(value: number): void {
    const v = this.sign * value;
    const pos = this.pos;
    this.block[pos] = v;
    this.prefix = pos === 0 || v > this.prefix ? v : this.prefix;
    this.count++;
    if (pos + 1 < this.window) {
      this.pos = pos + 1;
      return;
    }
    // block complete: its suffix extremes serve the next `window` queries
    const block = this.block;
    const suffix = this.suffix;
    let m = block[pos]!;
    suffix[pos] = m;
    for (let k = pos - 1; k >= 0; k--) {
      const b = block[k]!;
      if (b > m) m = b;
      suffix[k] = m;
    }
    this.pos = 0;
  }

  /** Number of values pushed so far. */
  pushed(): number {
    return this.count;
  }

  /** The extreme of the window (NaN before the first push). */
  value(): number {
    if (this.count === 0) return NaN;
    const pos = this.pos;
    if (pos === 0) return this.sign * this.suffix[0]!;
    const s = this.suffix[pos]!;
    return this.sign * (s > this.prefix ? s : this.prefix);
  }
}

/**
 * Donchian channel: highest high and lowest low of the last `window` bars, both by the streaming van Herk /
 * Gil-Werman scheme of RollingExtreme with one shared block position (half the bookkeeping of two extremes).
 */
export class RollingChannel {
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  private readonly highSuffix: Float64Array;
  private readonly lowSuffix: Float64Array;
  private pos = 0;
  private highPrefix = -Infinity;
  private lowPrefix = Infinity;
  private count = 0;

  constructor(readonly window: number) {
    this.highs = new Float64Array(window);
    this.lows = new Float64Array(window);
    this.highSuffix = new Float64Array(window).fill(-Infinity);
    this.lowSuffix = new Float64Array(window).fill(Infinity);
  }

  push(high: number, low: number): void {
    const pos = this.pos;
    this.highs[pos] = high;
    this.lows[pos] = low;
    if (pos === 0) {
      this.highPrefix = high;
      this.lowPrefix = low;
    } else {
      if (high > this.highPrefix) this.highPrefix = high;
      if (low < this.lowPrefix) this.lowPrefix = low;
    }
    this.count++;
    if (pos + 1 < this.window) {
      this.pos = pos + 1;
      return;
    }
    const { highs, lows, highSuffix, lowSuffix } = this;
    let hi = highs[pos]!;
    let lo = lows[pos]!;
    highSuffix[pos] = hi;
    lowSuffix[pos] = lo;
    for (let k = pos - 1; k >= 0; k--) {
      const h = highs[k]!;
      const l = lows[k]!;
      if (h > hi) hi = h;
      if (l < lo) lo = l;
      highSuffix[k] = hi;
      lowSuffix[k] = lo;
    }
    this.pos = 0;
  }

  pushed(): number {
    return this.count;
  }

  /** Highest high of the window (NaN before the first push). */
  upper(): number {
    if (this.count === 0) return NaN;
    const pos = this.pos;
    if (pos === 0) return this.highSuffix[0]!;
    const s = this.highSuffix[pos]!;
    return s > this.highPrefix ? s : this.highPrefix;
  }

  /** Lowest low of the window (NaN before the first push). */
  lower(): number {
    if (this.count === 0) return NaN;
    const pos = this.pos;
    if (pos === 0) return this.lowSuffix[0]!;
    const s = this.lowSuffix[pos]!;
    return s < this.lowPrefix ? s : this.lowPrefix;
  }
}
