/**
 * The Kafka consumer's thread (threadedSource.ts starts it): kafkaSource runs here, so fetching, decoding,
 * validating and aligning the messages, sending the rejections and committing the offsets never take the daemon's
 * thread. Aligned bar times go to the daemon in posts of up to BATCH; a bar's `written` and `ack` run here when the
 * daemon says its ledger has committed it ('acked'), in bar order, as runLoop calls them in the same thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { threadId } from '@arena/core';
import { type KafkaBar, type KafkaSource, kafkaSource } from './source.ts';
import type { FromSourceThread, SourceThreadSettings, ToSourceThread, WireBar } from './sourceWire.ts';

/** Bar times handed over and not yet acked above which the consumer stops taking more (the daemon has plenty). */
const IN_FLIGHT = 512;
/** Bar times per post at most (a post also goes as soon as the ones ready are taken). */
const BATCH = 64;

const port = parentPort!;
const settings = workerData as SourceThreadSettings;
const post = (m: FromSourceThread) => port.postMessage(m);

let closing = false;
let closeRequested: () => void = () => undefined;
const closeWanted = new Promise<void>((r) => (closeRequested = r));
/** handed over, not yet acked, in bar order */
const handed: KafkaBar[] = [];
let head = 0;
let credit: (() => void) | undefined;
let acks: Promise<void> = Promise.resolve();
const wake = () => {
  const c = credit;
  credit = undefined;
  c?.();
};

port.on('message', (m: ToSourceThread) => {
  if (m.type === 'acked') {
    let last: KafkaBar | undefined;
    while (head < handed.length && handed[head]!.ts <= m.through) {
      last = handed[head++]!;
      last.written();
    }
    if (head > 1024 && head * 2 > handed.length) {
      handed.splice(0, head);
      head = 0;
    }
    wake();
    // the commit (when due) after the ledger's, one at a time
    if (last !== undefined) acks = acks.then(() => last.ack()).catch((e: Error) => post({ type: 'log', line: `offset commit failed (the ledger has the steps; redeliveries will be skipped): ${e.message}`, level: 'warn' }));
  } else {
    closing = true;
    wake();
    closeRequested();
  }
});

let skipped = 0;
let batch: WireBar[] = [];
let scheduled = false;
const send = () => {
  scheduled = false;
  if (batch.length === 0 && skipped === 0) return;
  post({ type: 'bars', bars: batch, skipped });
  batch = [];
  skipped = 0;
};
const later = () => {
  if (!scheduled) {
    scheduled = true;
    setImmediate(send);
  }
};

// first: the daemon keeps this thread's priority from now on (a join can take seconds)
const tid = threadId();
post({ type: 'thread', ...(tid !== undefined ? { tid } : {}) });

let source: KafkaSource | undefined;
try {
  source = await kafkaSource({
    ...settings,
    stopping: () => closing,
    log: (line, level) => post({ type: 'log', line, ...(level ? { level } : {}) }),
    onReject: (kind, reason) => post({ type: 'reject', kind, reason }),
    onSkip: () => {
      skipped++;
      later();
    },
  });
  post({ type: 'ready' });
  for await (const bar of source) {
    handed.push(bar);
    batch.push({ ts: bar.ts, tsRecv: bar.tsRecv, row: bar.row, offset: bar.offset });
    if (batch.length >= BATCH) send();
    else later();
    while (handed.length - head >= IN_FLIGHT && !closing) await new Promise<void>((r) => (credit = r));
    if (closing) break;
  }
  send();
  if (!closing) post({ type: 'end' });
} catch (e) {
  send();
  post({ type: 'failed', message: (e as Error).message });
}
await closeWanted;
await acks;
await source?.close();
post({ type: 'closed' });
port.close();
