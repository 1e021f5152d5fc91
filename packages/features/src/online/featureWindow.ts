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
}

export class FeatureWindow {
  private readonly features: Float64Array;
  private readonly close: Float64Array;
  private readonly present: Uint8Array;
  private readonly ts: Float64Array;
  private t = -1;

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
    this.t++;
    const k = this.t % this.capacity;
    this.features.set(featureRow, k * featureRow.length);
    for (let a = 0; a < A; a++) {
      this.close[k * A + a] = close[a]!;
      this.present[k * A + a] = present[a]!;
    }
    this.ts[k] = ts;
  }

  /**
   * Bars [r0, r1] as a feature set and a panel of their own; every bar must still be in the ring. `only`: copy
   * just these features' columns (the others are left empty: a drift test reads the referenced ones only).
   */
  slice(r0: number, r1: number, only?: ReadonlySet<number>): WindowSlice {
    const first = Math.max(0, r0);
    if (r1 > this.t || first <= this.t - this.capacity) throw new Error(`bars ${first}..${r1} are not all in the window (latest ${this.t}, capacity ${this.capacity})`);
    const A = this.symbols.length;
    const F = this.info.length;
    const n = r1 - first + 1;
    const columns = Array.from({ length: F }, (_, f) => new Float64Array(only === undefined || only.has(f) ? n * A : 0));
    const ts = new Float64Array(n);
    for (let r = first; r <= r1; r++) ts[r - first] = this.ts[r % this.capacity]!;
    const panel = new BarPanel(this.symbols, this.timeframe, ts);
    for (let r = first; r <= r1; r++) {
      const k = r % this.capacity;
      const i = r - first;
      for (let f = 0; f < F; f++) if (columns[f]!.length > 0) columns[f]!.set(this.features.subarray((k * F + f) * A, (k * F + f + 1) * A), i * A);
      for (let a = 0; a < A; a++) {
        panel.close[i * A + a] = this.close[k * A + a]!;
        panel.present[i * A + a] = this.present[k * A + a]!;
      }
    }
    return { base: first, set: { features: this.info, nTimes: n, nAssets: A, columns }, panel };
  }
}
