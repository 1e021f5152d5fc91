/**
 * Bar messages from any number of partitions, in any interleaving, become whole bar times for the pipeline: a
 * time is released when every symbol of the universe has its bar, or when every symbol has been seen at a later
 * time (the missing bars are then absent), or on `flush` (idle stream). Times are released in order, each once;
 * a released time is frozen: a bar for it arriving while its step is queued or in flight is 'late' (rejected with
 * its reason), never written into a row that was already handed over. The aligner also tracks, per partition, the
 * offset up to which every message is in a stepped time, so a consumer commits only what the ledger holds.
 */
import { type OhlcvRow, emptyOhlcvRow } from '@arena/core';
import type { BarMessage } from './message.ts';

export interface AlignedBar {
  readonly ts: number;
  readonly row: OhlcvRow;
  /**
   * Per partition, the next offset to consume once this time and every time before it are in the ledger (what the
   * step's transaction records): fixed when the time is handed over, so it holds whenever and on whichever thread
   * the step is written.
   */
  readonly positions: ReadonlyMap<number, number>;
  /**
   * Per partition, the highest offset seen when this time was handed over: after a restart from the ledger, a
   * message at or below it for a time the ledger already holds was handled before (stepped or rejected), one above it
   * is new (a late bar, rejected as such)
   */
  readonly seen: ReadonlyMap<number, number>;
}

interface Pending {
  readonly bar: { readonly ts: number; readonly row: OhlcvRow };
  count: number;
  readonly offsets: { partition: number; offset: number }[];
}

export type Placement = 'queued' | 'duplicate' | 'late';

/**
 * A partition's offsets held by pending bar times: added in increasing order (a partition delivers in order),
 * removed roughly in order (times go in order), so the smallest open offset is found from the head.
 */
class OpenOffsets {
  private readonly q: number[] = [];
  private head = 0;
  private readonly gone = new Set<number>();

  add(offset: number): void {
    this.q.push(offset);
  }

  remove(offset: number): void {
    this.gone.add(offset);
  }

  /** The smallest open offset (undefined: none). */
  min(): number | undefined {
    while (this.head < this.q.length && this.gone.has(this.q[this.head]!)) this.gone.delete(this.q[this.head++]!);
    if (this.head > 4096 && this.head * 2 > this.q.length) {
      this.q.splice(0, this.head);
      this.head = 0;
    }
    return this.head < this.q.length ? this.q[this.head] : undefined;
  }
}

export class BarAligner {
  private readonly index: Map<string, number>;
  private readonly pending = new Map<number, Pending>();
  private readonly lastSeen: Float64Array;
  /** open message offsets per partition: in times not done (the commit), and in times not yet taken (a step's positions) */
  private readonly open = new Map<number, OpenOffsets>();
  private readonly untaken = new Map<number, OpenOffsets>();
  /** the highest offset seen per partition */
  private readonly seen = new Map<number, number>();
  /** the last time stepped and written (done) */
  released: number;
  /** the last time handed over by take (frozen from then on) */
  private taken: number;
  /** pending times in ascending order */
  private readonly times: number[] = [];

  constructor(
    readonly symbols: readonly string[],
    after = -Infinity,
  ) {
    this.index = new Map(symbols.map((s, a) => [s, a]));
    this.lastSeen = new Float64Array(symbols.length).fill(-Infinity);
    this.released = after;
    this.taken = after;
  }

  /** Adds a valid bar; 'late' when its time was already released, 'duplicate' when the symbol already has a bar at that time. */
  add(bar: BarMessage, partition: number, offset: number): Placement {
    this.markSeen(partition, offset);
    const a = this.index.get(bar.symbol)!;
    if (bar.ts <= this.taken) return 'late';
    let p = this.pending.get(bar.ts);
    if (p === undefined) {
      p = { bar: { ts: bar.ts, row: emptyOhlcvRow(this.symbols.length) }, count: 0, offsets: [] };
      this.pending.set(bar.ts, p);
      // keep the pending times sorted (they arrive mostly in order: an insertion from the end)
      let i = this.times.length;
      while (i > 0 && this.times[i - 1]! > bar.ts) i--;
      this.times.splice(i, 0, bar.ts);
    }
    if (p.bar.row.present[a] === 1) return 'duplicate';
    const r = p.bar.row;
    r.open[a] = bar.open;
    r.high[a] = bar.high;
    r.low[a] = bar.low;
    r.close[a] = bar.close;
    r.volume[a] = bar.volume;
    r.present[a] = 1;
    p.count++;
    p.offsets.push({ partition, offset });
    openSet(this.open, partition).add(offset);
    openSet(this.untaken, partition).add(offset);
    if (bar.ts > this.lastSeen[a]!) this.lastSeen[a] = bar.ts;
    return 'queued';
  }

  /** The highest offset seen on a partition (-1: none). */
  seenThrough(partition: number): number {
    return this.seen.get(partition) ?? -1;
  }

  /** Notes a message that is not queued (rejected, late, duplicate): it never holds back a commit. */
  markSeen(partition: number, offset: number): void {
    if (offset > (this.seen.get(partition) ?? -1)) this.seen.set(partition, offset);
  }

  /** Whether any bar time is waiting for its other symbols. */
  hasPending(): boolean {
    return this.times.length > 0;
  }

  /** Whether the oldest pending time not yet taken could go now (cheap: for a consumer to ask after each message). */
  ready(): boolean {
    const ts = this.times[0];
    if (ts === undefined) return false;
    return this.pending.get(ts)!.count === this.symbols.length || this.minSeen() > ts;
  }

  private minSeen(): number {
    let m = Infinity;
    for (const v of this.lastSeen) if (v < m) m = v;
    return m;
  }

  /** The times that can go now, oldest first (all pending ones when flushing); each is handed over once, then frozen. */
  take(flush = false): AlignedBar[] {
    const minSeen = this.minSeen();
    const out: AlignedBar[] = [];
    while (this.times.length > 0) {
      const ts = this.times[0]!;
      const p = this.pending.get(ts)!;
      if (!(p.count === this.symbols.length || minSeen > ts || flush)) break;
      this.times.shift();
      this.taken = ts;
      for (const o of p.offsets) this.untaken.get(o.partition)!.remove(o.offset);
      out.push({ ts, row: p.bar.row, positions: positionsOf(this.seen, this.untaken), seen: new Map(this.seen) });
    }
    return out;
  }

  /** Marks a taken time as stepped and written: its messages no longer hold back the commit. */
  done(ts: number): void {
    const p = this.pending.get(ts);
    if (p === undefined) return;
    for (const o of p.offsets) this.open.get(o.partition)?.remove(o.offset);
    this.pending.delete(ts);
    if (ts > this.released) this.released = ts;
  }

  /** Per partition, the next offset to commit: everything before it is in the ledger or was dropped. */
  commitPositions(): Map<number, number> {
    return positionsOf(this.seen, this.open);
  }
}

function openSet(sets: Map<number, OpenOffsets>, partition: number): OpenOffsets {
  let s = sets.get(partition);
  if (s === undefined) sets.set(partition, (s = new OpenOffsets()));
  return s;
}

/** Per partition seen, the smallest offset still open in `open`, else one past the highest seen. */
function positionsOf(seen: ReadonlyMap<number, number>, open: ReadonlyMap<number, OpenOffsets>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [partition, max] of seen) {
    const low = open.get(partition)?.min();
    out.set(partition, low === undefined ? max + 1 : Math.min(low, max + 1));
  }
  return out;
}
