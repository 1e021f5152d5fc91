/** Append-only columns of numbers that grow by doubling: event logs (fills, trades) without per-event objects. */
export class GrowableColumns<K extends string> {
  private cols: Record<K, Float64Array>;
  length = 0;

  constructor(
    private readonly keys: readonly K[],
    initialCapacity = 1024,
  ) {
    this.cols = Object.fromEntries(keys.map((k) => [k, new Float64Array(initialCapacity)])) as Record<K, Float64Array>;
  }

  /** Index of a fresh row; write its cells with set(). */
  append(): number {
    const first = this.cols[this.keys[0]!];
    if (this.length === first.length) {
      for (const k of this.keys) {
        const next = new Float64Array(first.length * 2);
        next.set(this.cols[k]);
        this.cols[k] = next;
      }
    }
    return this.length++;
  }

  set(key: K, row: number, value: number): void {
    this.cols[key][row] = value;
  }

  get(key: K, row: number): number {
    return this.cols[key][row]!;
  }

  /** A trimmed copy of one column. */
  column(key: K): Float64Array {
    return this.cols[key].slice(0, this.length);
  }
}
