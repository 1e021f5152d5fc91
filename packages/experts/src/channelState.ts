/**
 * Donchian channel state of many assets in flat typed arrays, for experts that keep the per-bar update in
 * locals (breakout). Streaming van Herk / Gil-Werman: bars are cut into blocks of `window`; when a block fills,
 * its suffix extremes are computed once; the channel over the last `window` bars at block position p is
 * max(suffix[p], running prefix max of the current block) (the suffix alone when p = 0). Exact, so it equals a
 * naive max/min over the window (RollingExtreme in rolling.ts is the same scheme for one series, as an object).
 */
export class ChannelState {
  readonly highs: Float64Array;
  readonly lows: Float64Array;
  readonly highSuffix: Float64Array;
  readonly lowSuffix: Float64Array;
  readonly pos: Float64Array;
  readonly highPrefix: Float64Array;
  readonly lowPrefix: Float64Array;

  constructor(
    nAssets: number,
    readonly window: number,
  ) {
    this.highs = new Float64Array(nAssets * window);
    this.lows = new Float64Array(nAssets * window);
    // before the first block completes, the suffix must not win against the prefix
    this.highSuffix = new Float64Array(nAssets * window).fill(-Infinity);
    this.lowSuffix = new Float64Array(nAssets * window).fill(Infinity);
    this.pos = new Float64Array(nAssets);
    this.highPrefix = new Float64Array(nAssets).fill(-Infinity);
    this.lowPrefix = new Float64Array(nAssets).fill(Infinity);
  }

  /** The block of asset a just filled: compute its suffix extremes (O(window), once per window bars). */
  completeBlock(a: number): void {
    const w = this.window;
    const base = a * w;
    const { highs, lows, highSuffix, lowSuffix } = this;
    let hi = -Infinity;
    let lo = Infinity;
    for (let k = w - 1; k >= 0; k--) {
      const h = highs[base + k]!;
      const l = lows[base + k]!;
      if (h > hi) hi = h;
      if (l < lo) lo = l;
      highSuffix[base + k] = hi;
      lowSuffix[base + k] = lo;
    }
  }
}
