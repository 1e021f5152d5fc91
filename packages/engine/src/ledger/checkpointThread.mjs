// The ledger's checkpointer thread (see checkpointer.ts): its own connection moves the WAL into the database file
// every `everyMs`, so the daemon's commits never pay for a checkpoint. Plain JS: it needs nothing but better-sqlite3.
import { parentPort, workerData } from 'node:worker_threads';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import Database from 'better-sqlite3';

// below the loop that steps the bars (BACKGROUND_NICE, as lowerThreadPriority in @arena/core; Linux: every thread
// has its own nice)
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {}

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: e.message });
  }
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try {
    db.close();
  } finally {
    // the writer's stop() waits for this: the database's files are no longer touched from here
    Atomics.store(workerData.closed, 0, 1);
    Atomics.notify(workerData.closed, 0);
  }
  parentPort.close();
});
