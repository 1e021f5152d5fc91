/** Append-only columns of numbers that grow by doubling: event logs (fills, trades) without per-event objects. */
export class GrowableColumns<K extends string> {
  /**
   * The columns; a row is written as `cols.k[row] = v` after append() (read `cols` after append: a column is replaced
   * when it grows). A named column at a write site is one monomorphic load, where a `set(key, ...)` shared by every
   * log would look the key up in whichever log's shape it meets.
   */
  readonly cols: Record<K, Float64Array>;
  length = 0;

  constructor(
    private readonly keys: readonly K[],
    initialCapacity = 1024,
  ) {
    this.cols = Object.fromEntries(keys.map((k) => [k, new Float64Array(initialCapacity)])) as Record<K, Float64Array>;
  }

  /** Index of a fresh row; write its cells through cols. */
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

  get(key: K, row: number): number {
    return this.cols[key][row]!;
  }

  /** A trimmed copy of one column. */
  column(key: K): Float64Array {
    return this.cols[key].slice(0, this.length);
  }
}
