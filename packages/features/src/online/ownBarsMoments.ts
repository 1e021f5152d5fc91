/**
 * Rolling mean and sum of squared deviations over each column's last `window` defined values: a NaN (an asset
 * without a bar at that row, a feature undefined there) is skipped, not part of the window, and its row's output is
 * undefined. On a column without NaN after its first value this is RollingMomentsStream (@arena/kernels) to the bit:
 * the same O(1) update, the same exact recomputation every `window` values in time order, the same exact (v, 0) on a
 * constant run. That stream's window spans rows, so one absent row voids it for `window` rows: with 500-row
 * windows on US futures (each contract misses some 20% of the rows, another contract's sessions) 99% of the
 * present cells had no z-score at all.
 */
export class OwnBarsMoments {
  /** the latest push's mean and m2 per column (NaN where undefined: a NaN pushed, or fewer than window values) */
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  private readonly count: Float64Array;
  private readonly cursor: Int32Array;
  private readonly run: Int32Array;
  private readonly prev: Float64Array;
  private readonly mu: Float64Array;
  private readonly q: Float64Array;
  private readonly sinceExact: Float64Array;
  /** [c * window + slot] */
  private readonly ring: Float64Array;

  constructor(
    readonly cols: number,
    readonly window: number,
  ) {
    this.mean = new Float64Array(cols).fill(NaN);
    this.m2 = new Float64Array(cols).fill(NaN);
    this.count = new Float64Array(cols);
    this.cursor = new Int32Array(cols);
    this.run = new Int32Array(cols);
    this.prev = new Float64Array(cols).fill(NaN);
    this.mu = new Float64Array(cols);
    this.q = new Float64Array(cols);
    this.sinceExact = new Float64Array(cols).fill(Infinity);
    this.ring = new Float64Array(cols * window);
  }

  push(x: ArrayLike<number>, xOff: number): void {
    const { cols, window, ring } = this;
    for (let c = 0; c < cols; c++) {
      const v = x[xOff + c]!;
      if (v !== v) {
        this.mean[c] = NaN;
        this.m2[c] = NaN;
        continue;
      }
      const base = c * window;
      const cur = this.cursor[c]!;
      const old = ring[base + cur]!;
      ring[base + cur] = v;
      this.cursor[c] = cur + 1 === window ? 0 : cur + 1;
      const n = ++this.count[c]!;
      this.run[c] = v === this.prev[c] ? this.run[c]! + 1 : 1;
      this.prev[c] = v;
      if (n < window) {
        this.sinceExact[c] = Infinity;
        this.mean[c] = NaN;
        this.m2[c] = NaN;
        continue;
      }
      let mu = this.mu[c]!;
      let q = this.q[c]!;
      if (this.sinceExact[c]! >= window) {
        // oldest first, as the row stream sums its window
        const oldest = this.cursor[c]!;
        let s = 0;
        for (let k = 0; k < window; k++) s += ring[base + ((oldest + k) % window)]!;
        mu = s / window;
        q = 0;
        for (let k = 0; k < window; k++) {
          const e = ring[base + ((oldest + k) % window)]! - mu;
          q += e * e;
        }
        this.sinceExact[c] = 0;
      } else {
        const next = mu + (v - old) / window;
        q += (v - old) * (v - next + old - mu);
        mu = next;
        this.sinceExact[c]!++;
      }
      if (this.run[c]! >= window) {
        mu = v;
        q = 0;
      } else if (q < 0) q = 0;
      this.mu[c] = mu;
      this.q[c] = q;
      this.mean[c] = mu;
      this.m2[c] = q;
    }
  }

  /** (x - mean) / population std of the latest push; NaN where the std is 0 or undefined. */
  zScore(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    for (let c = 0; c < this.cols; c++) {
      const q = this.m2[c]!;
      out[outOff + c] = q > 0 ? (x[xOff + c]! - this.mean[c]!) / Math.sqrt(q / this.window) : NaN;
    }
  }
}
