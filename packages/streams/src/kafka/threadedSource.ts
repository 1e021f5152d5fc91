/**
 * The daemon's Kafka source with the consumer on a thread of its own (sourceThread.ts): the same bar times, offsets,
 * rejections and commits as kafkaSource, but fetching, decoding, validating and aligning run beside the step loop
 * instead of between its steps. The daemon's thread only takes the aligned times and, after each ledger commit,
 * says up to which time its ledger holds them (the consumer then commits those offsets, when due).
 *
 * Measured on this 2-core machine (docs/kafka.md), against the consumer in the daemon's thread in alternating runs:
 * bar messages into the pipeline and the ledger rose 18% on a cold pass and held level warm in a fast sitting; with
 * a slower loop, warm rose 15%.
 */
import { Worker } from 'node:worker_threads';
import type { KafkaBar, KafkaBarStream, KafkaSourceOptions } from './source.ts';
import type { FromSourceThread, SourceThreadSettings, ToSourceThread, WireBar } from './sourceWire.ts';

/** Acks gathered into one post (one per ledger commit at most; sooner past this many). */
const ACK_BATCH = 64;
/**
 * How long close() waits for the thread's last commit and group leave before it stops the thread anyway, ms (a
 * shutdown stays prompt with the brokers gone; the ledger holds the steps and a redelivery of them is skipped).
 */
const CLOSE_WAIT_MS = 2000;

export interface ThreadedKafkaSourceOptions extends KafkaSourceOptions {
  /** the consumer thread's id (Linux), as soon as it runs: keep its priority (lowerOtherThreads' `keep`) */
  readonly onThread?: (tid: number) => void;
}

/** A stream that ends at once (stopped before the consumer was ready). */
const ENDED: KafkaBarStream = {
  async close() {},
  async *[Symbol.asyncIterator]() {},
};

export async function threadedKafkaSource(o: ThreadedKafkaSourceOptions): Promise<KafkaBarStream> {
  const settings: SourceThreadSettings = {
    brokers: o.brokers,
    groupId: o.groupId,
    timeframe: o.timeframe,
    symbols: o.symbols,
    ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
    ...(o.after !== undefined ? { after: o.after } : {}),
    ...(o.resume !== undefined ? { resume: o.resume } : {}),
    ...(o.flushMs !== undefined ? { flushMs: o.flushMs } : {}),
    ...(o.commitEveryMs !== undefined ? { commitEveryMs: o.commitEveryMs } : {}),
    ...(o.exitWhenIdleMs !== undefined ? { exitWhenIdleMs: o.exitWhenIdleMs } : {}),
    ...(o.runUid !== undefined ? { runUid: o.runUid } : {}),
  };
  // the worker runs TypeScript through tsx, as the CLI does
  const worker = new Worker(new URL('./sourceThread.mjs', import.meta.url), { workerData: settings });
  const send = (m: ToSourceThread) => worker.postMessage(m);
  const queue: KafkaBar[] = [];
  let head = 0;
  let ended = false;
  let closing = false;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  let started: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
  let closedNow: () => void = () => undefined;
  const closed = new Promise<void>((r) => (closedNow = r));
  const fail = (e: Error) => {
    failed ??= e;
    started?.reject(e);
    notify();
  };

  /** the highest time whose ack came, and how many acks since the last post */
  let ackedThrough = -Infinity;
  let acksWaiting = 0;
  let ackScheduled = false;
  const postAcks = () => {
    ackScheduled = false;
    if (acksWaiting === 0) return;
    acksWaiting = 0;
    send({ type: 'acked', through: ackedThrough });
  };
  const barOf = (b: WireBar): KafkaBar => ({
    ts: b.ts,
    tsRecv: b.tsRecv,
    row: b.row,
    offset: b.offset,
    // the consumer's thread learns that a time is written when it is acked (it only matters to the commit there)
    written: () => undefined,
    ack: async () => {
      ackedThrough = b.ts;
      if (++acksWaiting >= ACK_BATCH) postAcks();
      else if (!ackScheduled) {
        ackScheduled = true;
        setImmediate(postAcks);
      }
    },
  });

  worker.on('message', (m: FromSourceThread) => {
    switch (m.type) {
      case 'bars':
        for (const b of m.bars) queue.push(barOf(b));
        for (let k = 0; k < m.skipped; k++) o.onSkip?.();
        notify();
        break;
      case 'reject':
        o.onReject?.(m.kind, m.reason);
        break;
      case 'log':
        o.log?.(m.line, m.level);
        break;
      case 'thread':
        if (m.tid !== undefined) o.onThread?.(m.tid);
        break;
      case 'ready':
        started?.resolve();
        break;
      case 'end':
        ended = true;
        notify();
        break;
      case 'failed':
        fail(new Error(m.message));
        break;
      case 'closed':
        closedNow();
        break;
    }
  });
  worker.on('error', (e) => {
    fail(e);
    closedNow();
  });
  worker.on('exit', (code) => {
    if (!closing) fail(new Error(`the Kafka consumer thread exited (code ${code})`));
    closedNow();
  });
  // a stop while the consumer connects and joins (seconds, minutes with the brokers down) ends it there
  let poll: NodeJS.Timeout | undefined;
  const stopped = new Promise<'stopped'>((r) => (poll = setInterval(() => o.stopping() && r('stopped'), 250)));
  try {
    if ((await Promise.race([ready.then(() => 'ready' as const), stopped])) === 'stopped') {
      closing = true;
      await worker.terminate();
      return ENDED;
    }
  } catch (e) {
    closing = true;
    await worker.terminate();
    throw e;
  } finally {
    clearInterval(poll);
  }
  return {
    async close() {
      if (closing) return closed;
      closing = true;
      postAcks();
      send({ type: 'close' });
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([closed.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
      if (!inTime) o.log?.(`the Kafka consumer did not commit and leave its group within ${CLOSE_WAIT_MS / 1000} s (brokers unreachable?); stopped it: the ledger holds every step, and the messages after the last commit will be redelivered and skipped`, 'warn');
      await worker.terminate();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failed) throw failed;
        if (head < queue.length) {
          const next = queue[head++]!;
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          yield next;
          continue;
        }
        if (ended || o.stopping()) return;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 250);
        });
      }
    },
  };
}
