/**
 * Row streams of the rolling-window kernels: each consumes one row of `cols` values per push and writes that row's
 * output, keeping per-column state and a ring of the last `window` inputs (memory does not grow with the bars).
 * Each replays its batch CPU reference's arithmetic in the same order, so streaming a column row by row gives the
 * reference's values bit for bit (ops/*.test.ts hold the two equal). NaN in, NaN out, as the references.
 */

/** Mean of the last `window` rows (ops/rollingMean.ts): a running sum and a count of NaNs in the window. */
export class RollingMeanStream {
  private readonly sum: Float64Array;
  private readonly nans: Int32Array;
  private readonly ring: Float64Array;
  private t = 0;

  constructor(
    readonly cols: number,
    readonly window: number,
  ) {
    this.sum = new Float64Array(cols);
    this.nans = new Int32Array(cols);
    this.ring = new Float64Array(window * cols);
  }

  push(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const { cols, window, sum, nans, ring, t } = this;
    const slot = (t % window) * cols;
    for (let c = 0; c < cols; c++) {
      const v = x[xOff + c]!;
      if (v !== v) nans[c]!++;
      else sum[c] = sum[c]! + v;
      if (t >= window) {
        const old = ring[slot + c]!;
        if (old !== old) nans[c]!--;
        else sum[c] = sum[c]! - old;
      }
      ring[slot + c] = v;
      out[outOff + c] = t >= window - 1 && nans[c] === 0 ? sum[c]! / window : NaN;
    }
    this.t = t + 1;
  }
}

/**
 * Mean and sum of squared deviations of the last `window` rows (ops/rollingStd.ts rollingMomentsCpu): updated in
 * O(1), recomputed exactly every `window` rows; a constant run of `window` values is exactly (v, 0).
 */
export class RollingMomentsStream {
  /** the latest row's mean and m2 (NaN while undefined) */
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  private readonly lastNan: Float64Array;
  private readonly run: Int32Array;
  private readonly mu: Float64Array;
  private readonly q: Float64Array;
  private readonly sinceExact: Float64Array;
  private readonly prev: Float64Array;
  private readonly ring: Float64Array;
  private t = 0;

  constructor(
    readonly cols: number,
    readonly window: number,
  ) {
    this.mean = new Float64Array(cols);
    this.m2 = new Float64Array(cols);
    this.lastNan = new Float64Array(cols).fill(-Infinity);
    this.run = new Int32Array(cols);
    this.mu = new Float64Array(cols);
    this.q = new Float64Array(cols);
    this.sinceExact = new Float64Array(cols).fill(Infinity);
    this.prev = new Float64Array(cols).fill(NaN);
    this.ring = new Float64Array(window * cols);
  }

  push(x: ArrayLike<number>, xOff: number): void {
    const { cols, window, ring, t } = this;
    const slot = (t % window) * cols;
    for (let c = 0; c < cols; c++) {
      const v = x[xOff + c]!;
      const old = ring[slot + c]!;
      ring[slot + c] = v;
      if (v !== v) this.lastNan[c] = t;
      this.run[c] = t > 0 && v === this.prev[c] ? this.run[c]! + 1 : 1;
      this.prev[c] = v;
      if (t < window - 1 || t - this.lastNan[c]! < window) {
        this.sinceExact[c] = Infinity;
        this.mean[c] = NaN;
        this.m2[c] = NaN;
        continue;
      }
      let mu = this.mu[c]!;
      let q = this.q[c]!;
      if (this.sinceExact[c]! >= window) {
        let s = 0;
        for (let k = t - window + 1; k <= t; k++) s += ring[(k % window) * cols + c]!;
        mu = s / window;
        q = 0;
        for (let k = t - window + 1; k <= t; k++) {
          const e = ring[(k % window) * cols + c]! - mu;
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
    this.t = t + 1;
  }

  /** (x - mean) / population std of the latest row (ops/rollingZScore.ts); NaN where the std is 0 or undefined. */
  zScore(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    for (let c = 0; c < this.cols; c++) {
      const q = this.m2[c]!;
      out[outOff + c] = q > 0 ? (x[xOff + c]! - this.mean[c]!) / Math.sqrt(q / this.window) : NaN;
    }
  }

  /** mean / sample std of the latest row (ops/rollingSharpe.ts). */
  sharpe(out: Float64Array, outOff: number): void {
    for (let c = 0; c < this.cols; c++) {
      const s = Math.sqrt(this.m2[c]! / (this.window - 1));
      out[outOff + c] = s > 0 ? this.mean[c]! / s : NaN;
    }
  }

  /** population std of the latest row (ops/rollingStd.ts). */
  std(out: Float64Array, outOff: number): void {
    for (let c = 0; c < this.cols; c++) out[outOff + c] = Math.sqrt(this.m2[c]! / this.window);
  }
}

/** Max (or min) of the last `window` rows (ops/rollingExtremes.ts): a monotonic deque of row indices per column. */
export class RollingExtremeStream {
  private readonly deque: Int32Array;
  private readonly head: Int32Array;
  private readonly size: Int32Array;
  private readonly lastNan: Float64Array;
  private readonly values: Float64Array;
  private t = 0;

  constructor(
    readonly cols: number,
    readonly window: number,
    readonly max: boolean,
  ) {
    this.deque = new Int32Array(window * cols);
    this.head = new Int32Array(cols);
    this.size = new Int32Array(cols);
    this.lastNan = new Float64Array(cols).fill(-Infinity);
    this.values = new Float64Array(window * cols);
  }

  push(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const { cols, window, deque, head, size, values, max, t } = this;
    for (let c = 0; c < cols; c++) {
      const v = x[xOff + c]!;
      const d = c * window;
      if (v !== v) {
        this.lastNan[c] = t;
        size[c] = 0;
        out[outOff + c] = NaN;
        continue;
      }
      if (size[c]! > 0 && deque[d + head[c]!]! <= t - window) {
        head[c] = (head[c]! + 1) % window;
        size[c]!--;
      }
      while (size[c]! > 0) {
        const back = values[(deque[d + ((head[c]! + size[c]! - 1) % window)]! % window) * cols + c]!;
        if (max ? back > v : back < v) break;
        size[c]!--;
      }
      deque[d + ((head[c]! + size[c]!) % window)] = t;
      size[c]!++;
      values[(t % window) * cols + c] = v;
      out[outOff + c] = t >= window - 1 && t - this.lastNan[c]! >= window ? values[(deque[d + head[c]!]! % window) * cols + c]! : NaN;
    }
    this.t = t + 1;
  }
}
