/**
 * The last `capacity` bars of every feature, close and presence, in a ring: what the selector reads. `slice` copies
 * bars [r0, r1] into a FeatureSet and a panel of their own (rows rebased to 0), so a selection can run on a copy,
 * in this thread or in a worker, while the stream goes on.
 */
import { BarPanel, type Timeframe } from '@arena/core';
import type { FeatureInfo, FeatureSet } from '../featureSet.ts';

export interface WindowSlice {
  /** the bar index of the slice's row 0 */
  readonly base: number;
  readonly set: FeatureSet;
  /** closes and presence of the rows (other fields NaN) */
  readonly panel: BarPanel;
  /** names the contents of a full slice (window and rows: a bar's row never changes): equal keys, equal slices */
  readonly key?: string;
}

/** FeatureWindows made in this thread, for slice keys */
let windows = 0;

const EMPTY = new Float64Array(0);

/**
 * Memory a slice's columns are copied into, kept by its owner from one slice to the next. A fresh 2 MB buffer costs
 * 5-10 ms of page faults on first touch in a VM (measured here), so a stream reuses one; `shared` puts it on a
 * SharedArrayBuffer, which a worker reads in place (a stream slices again only after the worker has answered).
 */
export class SliceBuffer {
  private block: Float64Array = EMPTY;

  constructor(readonly shared = false) {}

  /** At least n values (the previous contents are not kept when it grows). */
  take(n: number): Float64Array {
    if (this.block.length < n) {
      const size = Math.max(n, Math.ceil(this.block.length * 1.25));
      this.block = this.shared ? new Float64Array(new SharedArrayBuffer(size * 8)) : new Float64Array(size);
    }
    return this.block;
  }
}

export class FeatureWindow {
  /** per feature, a ring of bars: [(f * capacity + k) * nAssets + a], so a slice copies two runs per feature */
  private readonly features: Float64Array;
  private readonly close: Float64Array;
  private readonly present: Uint8Array;
  private readonly ts: Float64Array;
  private t = -1;
  private readonly id = ++windows;

  constructor(
    readonly info: readonly FeatureInfo[],
    readonly symbols: readonly string[],
    readonly timeframe: Timeframe,
    readonly capacity: number,
  ) {
    const A = symbols.length;
    this.features = new Float64Array(capacity * info.length * A);
    this.close = new Float64Array(capacity * A);
    this.present = new Uint8Array(capacity * A);
    this.ts = new Float64Array(capacity);
  }

  /** The latest bar index pushed (-1 before the first). */
  get last(): number {
    return this.t;
  }

  /** Appends a bar: its feature row ([f * nAssets + a]), closes and presence. */
  push(ts: number, featureRow: Float64Array, close: ArrayLike<number>, present: ArrayLike<number>): void {
    const A = this.symbols.length;
    const F = this.info.length;
    this.t++;
    const k = this.t % this.capacity;
    const feats = this.features;
    for (let f = 0; f < F; f++) {
      const o = (f * this.capacity + k) * A;
      for (let a = 0; a < A; a++) feats[o + a] = featureRow[f * A + a]!;
    }
    for (let a = 0; a < A; a++) {
      this.close[k * A + a] = close[a]!;
      this.present[k * A + a] = present[a]!;
    }
    this.ts[k] = ts;
  }

  /**
   * Bars [r0, r1] as a feature set and a panel of their own; every bar must still be in the ring. `only`: copy
   * just these features' columns (the others are left empty: a drift test reads the referenced ones only). `into`:
   * the columns are views on that buffer (the caller must not slice into it again while the slice is in use).
   */
  slice(r0: number, r1: number, only?: ReadonlySet<number>, into?: SliceBuffer): WindowSlice {
    const first = Math.max(0, r0);
    if (r1 > this.t || first <= this.t - this.capacity) throw new Error(`bars ${first}..${r1} are not all in the window (latest ${this.t}, capacity ${this.capacity})`);
    const A = this.symbols.length;
    const F = this.info.length;
    const n = r1 - first + 1;
    let copied = 0;
    for (let f = 0; f < F; f++) if (only === undefined || only.has(f)) copied++;
    const block = into !== undefined ? into.take(copied * n * A) : new Float64Array(copied * n * A);
    let next = 0;
    const columns = Array.from({ length: F }, (_, f) => (only === undefined || only.has(f) ? block.subarray(next * n * A, ++next * n * A) : EMPTY));
    const ts = new Float64Array(n);
    for (let r = first; r <= r1; r++) ts[r - first] = this.ts[r % this.capacity]!;
    const panel = new BarPanel(this.symbols, this.timeframe, ts);
    // bars first..r1 sit at ring rows k0..k0 + n - 1, wrapping at most once: two runs per feature
    const cap = this.capacity;
    const k0 = first % cap;
    const run1 = Math.min(n, cap - k0);
    for (let f = 0; f < F; f++) {
      const col = columns[f]!;
      if (col.length === 0) continue;
      const o = f * cap * A;
      col.set(this.features.subarray(o + k0 * A, o + (k0 + run1) * A), 0);
      if (run1 < n) col.set(this.features.subarray(o, o + (n - run1) * A), run1 * A);
    }
    for (let r = first; r <= r1; r++) {
      const k = r % cap;
      const i = r - first;
      for (let a = 0; a < A; a++) {
        panel.close[i * A + a] = this.close[k * A + a]!;
        panel.present[i * A + a] = this.present[k * A + a]!;
      }
    }
    return { base: first, set: { features: this.info, nTimes: n, nAssets: A, columns }, panel, ...(only === undefined ? { key: `${this.id}:${first}:${r1}` } : {}) };
  }
}
