/**
 * Rolling state of one asset's series: a windowed extreme (positioning's rolling peak). O(1) amortised per
 * value, no allocation after construction; one object per asset, so an expert's loop over time touches only
 * this asset's state. Breakout keeps its channels flat in channelState.ts for the same scheme over many assets.
 */

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
