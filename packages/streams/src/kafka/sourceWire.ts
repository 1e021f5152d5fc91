/** The messages between the daemon's thread and the Kafka consumer's thread (threadedSource.ts, sourceThread.ts). */
import type { OhlcvRow } from '@arena/core';
import type { KafkaSourceOptions } from './source.ts';

/** kafkaSource's options without its callbacks (they stay on the daemon's thread; the worker posts what they get). */
export type SourceThreadSettings = Pick<KafkaSourceOptions, 'brokers' | 'clientId' | 'groupId' | 'timeframe' | 'symbols' | 'after' | 'resume' | 'flushMs' | 'commitEveryMs' | 'exitWhenIdleMs' | 'runUid'>;

/** An aligned bar time as it crosses: plain data (its row's typed arrays are copied). */
export interface WireBar {
  readonly ts: number;
  readonly tsRecv: number;
  readonly row: OhlcvRow;
  readonly offset: readonly { readonly source: string; readonly part: number; readonly position: string; readonly seen: string }[];
}

export type FromSourceThread =
  /** the thread started: its id where the platform has one (Linux), before it connects */
  | { readonly type: 'thread'; readonly tid?: number }
  /** connected and subscribed */
  | { readonly type: 'ready' }
  /** bar times in order; `skipped`: redelivered messages the ledger already holds, since the last post */
  | { readonly type: 'bars'; readonly bars: readonly WireBar[]; readonly skipped: number }
  | { readonly type: 'reject'; readonly kind: string; readonly reason: string }
  | { readonly type: 'log'; readonly line: string; readonly level?: 'warn' }
  /** the stream ended (caught up and idle, with exitWhenIdleMs) */
  | { readonly type: 'end' }
  /** the consumer failed for good (or could not start) */
  | { readonly type: 'failed'; readonly message: string }
  /** close() done: the offsets the ledger holds are committed and the group left */
  | { readonly type: 'closed' };

export type ToSourceThread =
  /** the ledger has committed every bar time up to `through` (inclusive) */
  | { readonly type: 'acked'; readonly through: number }
  /** stop fetching, commit, leave the group */
  | { readonly type: 'close' };
