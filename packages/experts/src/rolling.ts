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

/** Maximum (or minimum) of the last `window` pushed values. */
export class RollingExtreme {
  private readonly val: Float64Array;
  private readonly idx: Float64Array;
  private readonly cap: number;
  private readonly sign: number;
  private head = 0;
  private size = 0;
  private count = 0;

  constructor(
    readonly window: number,
    kind: 'max' | 'min',
  ) {
    this.cap = window + 1;
    this.val = new Float64Array(this.cap);
    this.idx = new Float64Array(this.cap);
    this.sign = kind === 'max' ? 1 : -1;
  }

  push(value: number): void {
    const v = this.sign * value;
    const cap = this.cap;
    const val = this.val;
    const idx = this.idx;
    const i = this.count;
    let head = this.head;
    let size = this.size;
    // drop from the back everything the new value dominates
    let back = head + size - 1;
    if (back >= cap) back -= cap;
    while (size > 0 && val[back]! <= v) {
      size--;
      back = back === 0 ? cap - 1 : back - 1;
    }
    let slot = head + size;
    if (slot >= cap) slot -= cap;
    val[slot] = v;
    idx[slot] = i;
    size++;
    // drop from the front what has left the window
    const oldest = i - this.window;
    while (idx[head]! <= oldest) {
      head = head + 1 === cap ? 0 : head + 1;
      size--;
    }
    this.head = head;
    this.size = size;
    this.count = i + 1;
  }

  /** Number of values pushed so far. */
  pushed(): number {
    return this.count;
  }

  /** The extreme of the window (NaN before the first push). */
  value(): number {
    return this.size === 0 ? NaN : this.sign * this.val[this.head]!;
  }
}
