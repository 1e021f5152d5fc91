/**
 * Bar messages from any number of partitions, in any interleaving, become whole bar times for the pipeline: a
 * time is released when every symbol of the universe has its bar, or when every symbol has been seen at a later
 * time (the missing bars are then absent), or on `flush` (idle stream). Times are released in order, each once.
 * The aligner also tracks, per partition, the offset up to which every message is in a released time, so a
 * consumer commits only what the ledger already holds.
 */
import { type OhlcvRow, emptyOhlcvRow } from '@arena/core';
import type { BarMessage } from './message.ts';

export interface AlignedBar {
  readonly ts: number;
  readonly row: OhlcvRow;
}

interface Pending {
  readonly bar: AlignedBar;
  count: number;
  readonly offsets: { partition: number; offset: number }[];
}

export type Placement = 'queued' | 'duplicate' | 'late';

export class BarAligner {
  private readonly index: Map<string, number>;
  private readonly pending = new Map<number, Pending>();
  private readonly lastSeen: Float64Array;
  /** open message offsets per partition (in pending times) and the highest offset seen */
  private readonly open = new Map<number, Set<number>>();
  private readonly seen = new Map<number, number>();
  /** the last released time */
  released: number;

  constructor(
    readonly symbols: readonly string[],
    after = -Infinity,
  ) {
    this.index = new Map(symbols.map((s, a) => [s, a]));
    this.lastSeen = new Float64Array(symbols.length).fill(-Infinity);
    this.released = after;
  }

  /** Adds a valid bar; 'late' when its time was already released, 'duplicate' when the symbol already has a bar at that time. */
  add(bar: BarMessage, partition: number, offset: number): Placement {
    this.markSeen(partition, offset);
    const a = this.index.get(bar.symbol)!;
    if (bar.ts <= this.released) return 'late';
    let p = this.pending.get(bar.ts);
    if (p === undefined) {
      p = { bar: { ts: bar.ts, row: emptyOhlcvRow(this.symbols.length) }, count: 0, offsets: [] };
      this.pending.set(bar.ts, p);
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
    this.openSet(partition).add(offset);
    if (bar.ts > this.lastSeen[a]!) this.lastSeen[a] = bar.ts;
    return 'queued';
  }

  /** Notes a message that is not queued (rejected, late, duplicate): it never holds back a commit. */
  markSeen(partition: number, offset: number): void {
    if (offset > (this.seen.get(partition) ?? -1)) this.seen.set(partition, offset);
  }

  private openSet(partition: number): Set<number> {
    let s = this.open.get(partition);
    if (s === undefined) this.open.set(partition, (s = new Set()));
    return s;
  }

  /** The times that can go now, oldest first (all pending ones when flushing). */
  take(flush = false): AlignedBar[] {
    const times = [...this.pending.keys()].sort((x, y) => x - y);
    let minSeen = Infinity;
    for (const v of this.lastSeen) minSeen = Math.min(minSeen, v);
    const out: AlignedBar[] = [];
    for (const ts of times) {
      const p = this.pending.get(ts)!;
      const complete = p.count === this.symbols.length;
      if (!(complete || minSeen > ts || flush)) break;
      out.push(p.bar);
    }
    return out;
  }

  /** Marks a taken time as stepped and written: its messages no longer hold back the commit. */
  done(ts: number): void {
    const p = this.pending.get(ts);
    if (p === undefined) return;
    for (const o of p.offsets) this.open.get(o.partition)?.delete(o.offset);
    this.pending.delete(ts);
    if (ts > this.released) this.released = ts;
  }

  /** Per partition, the next offset to commit: everything before it is in the ledger or was dropped. */
  commitPositions(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [partition, max] of this.seen) {
      let low = max + 1;
      for (const o of this.open.get(partition) ?? []) if (o < low) low = o;
      out.set(partition, low);
    }
    return out;
  }
}
