/**
 * The Kafka source in the calling thread (the daemon runs it on a thread of its own: threadedSource.ts): a
 * consumer group on `arena.md.bars.<tf>`. Every message is validated; a bad one is
 * counted, sent to `arena.md.rejected` with its reason and position, and skipped. Good bars are aligned into whole
 * bar times (BarAligner) and handed to the daemon one time at a time; `ack` (after the ledger transaction) marks
 * the time done, and the offsets the ledger covers are committed at most every `commitEveryMs` (the last ones when
 * due, also once the stream has gone quiet) and on close.
 *
 * A daemon passes `resume`, its ledger's offsets: the consumer starts each partition where the ledger says (from the
 * earliest message where the ledger has none), not where the group's committed offsets are, so the ledger alone says
 * what was applied. A message at or below the ledger's `seen` offset of its partition, for a time the ledger holds,
 * was handled before the restart and is skipped (onSkip); a later one for such a time is a late bar (rejected).
 */
import type { OhlcvRow, Timeframe } from '@arena/core';
import { type Consumer, Partitioners, type Producer } from 'kafkajs';
import { BarAligner } from './aligner.ts';
import { kafkaClient, type KafkaOptions } from './client.ts';
import { REJECTED_TOPIC, RUN_UID_HEADER, barsTopic, validateBar } from './message.ts';

export interface KafkaSourceOptions extends KafkaOptions {
  readonly groupId: string;
  readonly timeframe: Timeframe;
  readonly symbols: readonly string[];
  /** the ledger's last stepped bar time (restart) */
  readonly after?: number;
  /**
   * Where the ledger says each partition of the bars topic is (a daemon always passes it; empty: a new ledger, so
   * every partition starts at its earliest message). Absent: the group's committed offsets decide.
   */
  readonly resume?: readonly ResumePosition[];
  /** release incomplete bar times after this long without messages, ms */
  readonly flushMs?: number;
  /** commit at most this often, ms (the ledger is always ahead; redeliveries of what it holds are skipped) */
  readonly commitEveryMs?: number;
  readonly stopping: () => boolean;
  /** every rejection: kind and one-line reason with the message's position */
  readonly onReject?: (kind: string, reason: string) => void;
  /** redelivered bars already in the ledger */
  readonly onSkip?: () => void;
  /** end the stream once caught up: nothing pending and no message for this long, ms (arena paper --exit-at-end) */
  readonly exitWhenIdleMs?: number;
  /** the daemon's run uid: on each message to arena.md.rejected (value's `runUid` and the RUN_UID_HEADER header) */
  readonly runUid?: string;
}

/** A partition's offsets in the ledger: the next one to consume, and the highest one seen (absent in older ledgers). */
export interface ResumePosition {
  readonly part: number;
  readonly position: string;
  readonly seen?: string;
}

export interface KafkaBar {
  readonly ts: number;
  /** when the bar time was complete and handed over (ms, wall clock) */
  readonly tsRecv: number;
  readonly row: OhlcvRow;
  /** per partition, the next offset to consume once this bar time is in the ledger (stored with its step) */
  readonly offset: readonly { readonly source: string; readonly part: number; readonly position: string; readonly seen: string }[];
  readonly written: () => void;
  readonly ack: () => Promise<void>;
}

/** Aligned bar times to step; close() commits what the ledger holds and leaves the group. */
export interface KafkaBarStream extends AsyncIterable<KafkaBar> {
  close(): Promise<void>;
}

/** The consumer in the calling thread, with its producer (the rejections go through it). */
export interface KafkaSource extends KafkaBarStream {
  readonly producer: Producer;
}

/** Ready bars above which the consumer stops fetching, and the level at which it resumes. */
const HIGH_WATER = 256;
const LOW_WATER = 128;

export async function kafkaSource(o: KafkaSourceOptions): Promise<KafkaSource> {
  const kafka = kafkaClient(o);
  const topic = barsTopic(o.timeframe);
  const consumer: Consumer = kafka.consumer({ groupId: o.groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 500, retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 30 } });
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const universe = new Set(o.symbols);
  const aligner = new BarAligner(o.symbols, o.after ?? -Infinity);
  const ready: KafkaBar[] = [];
  let wake: (() => void) | undefined;
  /** the consumer waiting for the daemon to drain the queue (back-pressure), and close() called */
  let drained: (() => void) | undefined;
  let closing = false;
  let lastMessage = Date.now();
  let failed: Error | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const commitEveryMs = o.commitEveryMs ?? 200;
  let lastCommit = 0;
  /** commits one at a time, in order (a later one never lands before an earlier one) */
  let commits: Promise<void> = Promise.resolve();
  const commit = (positions: ReadonlyMap<number, number> = aligner.commitPositions()): Promise<void> => {
    const next = commits
      .catch(() => undefined)
      .then(async () => {
        lastCommit = Date.now();
        if (positions.size > 0) await consumer.commitOffsets([...positions].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })));
      });
    commits = next;
    return next;
  };
  /**
   * An ack that came before its commit was due: the commit goes when due, even if no ack follows (a quiet stream),
   * with the positions of that ack (what the ledger held then; a later `written` may not be committed yet)
   */
  let commitLater: NodeJS.Timeout | undefined;
  let acked: ReadonlyMap<number, number> = new Map();
  const commitWhenDue = async () => {
    acked = aligner.commitPositions();
    const wait = commitEveryMs - (Date.now() - lastCommit);
    if (wait <= 0) return commit(acked);
    commitLater ??= setTimeout(() => {
      commitLater = undefined;
      if (!closing) commit(acked).catch((e: Error) => o.log?.(`offset commit failed (the ledger has the steps; redeliveries will be skipped): ${e.message}`, 'warn'));
    }, wait);
  };
  const enqueue = (flush: boolean) => {
    for (const bar of aligner.take(flush)) {
      ready.push({
        ts: bar.ts,
        tsRecv: Date.now(),
        row: bar.row,
        offset: [...bar.positions].map(([part, position]) => ({ source: topic, part, position: String(position), seen: String(bar.seen.get(part) ?? position - 1) })),
        // written into the ledger's open transaction: its messages no longer hold back the commit (which only an
        // ack sends, after the ledger has committed); the positions recorded with the steps were fixed at take
        written: () => aligner.done(bar.ts),
        ack: commitWhenDue,
      });
    }
    notify();
  };
  /** A batch's rejections: each counted and recorded with its position, all copied to arena.md.rejected in one request. */
  const rejectAll = async (list: readonly { kind: string; reason: string; key: string | null; value: string | null; offset: string }[], partition: number) => {
    if (list.length === 0) return;
    for (const r of list) o.onReject?.(r.kind, `${topic}:${partition}:${r.offset}: ${r.reason}`);
    try {
      const run = o.runUid;
      const messages = list.map((r) => ({
        key: r.key,
        value: JSON.stringify({ ...(run !== undefined ? { runUid: run } : {}), reason: r.reason, kind: r.kind, topic, partition, offset: Number(r.offset), key: r.key, value: r.value }),
        ...(run !== undefined ? { headers: { [RUN_UID_HEADER]: run } } : {}),
      }));
      await producer.send({ topic: REJECTED_TOPIC, messages });
    } catch (e) {
      o.log?.(`cannot send ${list.length} rejections of ${topic}:${partition} to ${REJECTED_TOPIC}: ${(e as Error).message}`, 'warn');
    }
  };
  // idle is counted from the group join: a join that waits out a dead member's session, or a restart after a crash,
  // is not a caught-up stream
  let joined = false;
  // the ledger's positions, where each partition starts when nothing of it was read yet in this run (where the ledger
  // has none, at its earliest message; an offset before the log's start resets to the earliest, as fromBeginning says)
  const ledgerAt = new Map(o.resume?.map((r) => [r.part, r.position]));
  const ledgerSeen = new Map(o.resume?.filter((r) => r.seen !== undefined).map((r) => [r.part, Number(r.seen)]));
  // where the ledger does not say what it saw (no resume given, or a partition stored before `seen` was recorded): a
  // bar for a time the ledger holds is taken as a redelivery
  const byTime = (partition: number) => o.resume === undefined || o.resume.length === 0 || (ledgerAt.has(partition) && !ledgerSeen.has(partition));
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    joined = true;
    lastMessage = Date.now();
    if (o.resume === undefined) return;
    // at every join (the client's own restart and a rebalance start from the group's commit, which can trail what
    // this run has read or lie past what a new ledger holds): after the last message this run saw, else the ledger's
    // position, else the partition's first message
    for (const partition of e.payload.memberAssignment[topic] ?? []) {
      const seen = aligner.seenThrough(partition);
      consumer.seek({ topic, partition, offset: seen >= 0 ? String(seen + 1) : (ledgerAt.get(partition) ?? '0') });
    }
  });
  // registered before run(): a first join that fails for good crashes inside it
  consumer.on(consumer.events.CRASH, (e) => {
    const err = e.payload.error as Error & { retriable?: boolean };
    o.log?.(`kafka consumer crashed: ${err.message}${e.payload.restart ? '; restarting with back-off' : ''}`, 'warn');
    joined = false;
    if (!e.payload.restart) {
      failed = err;
      notify();
    }
  });
  /** eachBatch waiting for the daemon to take bars: no message comes meanwhile, and that is not an idle stream */
  let parked = false;
  await consumer.run({
    autoCommit: false,
    // a batch at a time: the messages are validated and aligned in one loop, the rejections sent in one request
    eachBatch: async ({ batch, heartbeat }) => {
      const partition = batch.partition;
      const rejected: { kind: string; reason: string; key: string | null; value: string | null; offset: string }[] = [];
      for (const message of batch.messages) {
        lastMessage = Date.now();
        const offset = Number(message.offset);
        // fetched again after a rebalance or a restart inside the client: already handled here
        if (offset <= aligner.seenThrough(partition)) continue;
        const key = message.key?.toString('utf8') ?? null;
        const value = message.value?.toString('utf8') ?? null;
        const v = validateBar(key, value, { timeframe: o.timeframe, symbols: universe });
        if (!v.ok) {
          aligner.markSeen(partition, offset);
          rejected.push({ kind: v.kind, reason: v.reason, key, value, offset: message.offset });
          continue;
        }
        // a time the ledger holds (before any time of this run is written): handled before the restart, or a late bar
        if (o.after !== undefined && v.bar.ts <= o.after && v.bar.ts <= aligner.released && (byTime(partition) || offset <= (ledgerSeen.get(partition) ?? -1))) {
          aligner.markSeen(partition, offset);
          o.onSkip?.();
          continue;
        }
        const placed = aligner.add(v.bar, partition, offset);
        if (placed === 'duplicate') rejected.push({ kind: 'duplicate', reason: `a second ${v.bar.symbol} bar at ${new Date(v.bar.ts).toISOString()}`, key, value, offset: message.offset });
        else if (placed === 'late') rejected.push({ kind: 'late', reason: `${v.bar.symbol} bar at ${new Date(v.bar.ts).toISOString()} arrived after that time was handed to the pipeline`, key, value, offset: message.offset });
        if (aligner.ready()) enqueue(false);
      }
      await rejectAll(rejected, partition);
      await heartbeat();
      // back-pressure: above HIGH_WATER ready bars, wait until the daemon has taken them down to LOW_WATER (woken by
      // the iterator, so the next fetch starts while the daemon still has LOW_WATER bars to step, not after it has
      // run dry). A daemon whose loop has ended (a failed step) takes no more bars: close() ends the wait. The
      // heartbeat keeps the group membership through a long wait.
      while (ready.length > HIGH_WATER && !o.stopping() && !closing) {
        parked = true;
        await new Promise<void>((r) => {
          const timer = setTimeout(r, 250);
          drained = () => {
            clearTimeout(timer);
            r();
          };
        });
        drained = undefined;
        await heartbeat();
      }
      if (parked) {
        parked = false;
        lastMessage = Date.now();
      }
    },
  });
  const flushMs = o.flushMs ?? 2000;
  const timer = setInterval(() => {
    // an idle stream releases its incomplete times; one waiting on the daemon is not idle
    if (!parked && Date.now() - lastMessage > flushMs) enqueue(true);
    if (o.stopping()) notify();
  }, Math.min(250, flushMs));
  return {
    producer,
    async close() {
      closing = true;
      drained?.();
      clearInterval(timer);
      clearTimeout(commitLater);
      await commit().catch((e: Error) => o.log?.(`final offset commit failed (the ledger has the steps; redeliveries will be skipped): ${e.message}`, 'warn'));
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failed) throw failed;
        const next = ready.shift();
        if (next !== undefined) {
          if (drained !== undefined && ready.length <= LOW_WATER) drained();
          yield next;
          continue;
        }
        if (o.stopping()) return;
        if (o.exitWhenIdleMs !== undefined && joined && Date.now() - lastMessage > o.exitWhenIdleMs && !aligner.hasPending()) return;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 250);
        });
      }
    },
  };
}
