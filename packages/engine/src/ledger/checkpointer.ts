/**
 * WAL checkpoints beside the loop. SQLite's automatic checkpoint runs inside the commit that takes the WAL past
 * 1,000 pages, and that commit pays for copying the WAL into the database file and syncing both (4-10 ms on this
 * machine, against 0.1 ms for a plain commit): the daemon's worst steps. A Checkpointer turns the automatic one off
 * on the writer's connection and runs PASSIVE checkpoints from a worker thread on a connection of its own; a passive
 * checkpoint never blocks the writer nor waits for readers.
 *
 * The WAL starts again from its top at the first write after a checkpoint that caught up with it, which happens
 * whenever the writer pauses (between live bars). A writer that never pauses (a replay at full speed) would grow
 * it without end, so once the thread reports more than `restartFrames` frames the writer restarts it itself after
 * its next commit (`afterCommit`): the thread has already copied nearly all of them, so that costs a sync, once
 * per `restartFrames` frames. If the thread fails, the automatic checkpoint comes back.
 *
 * The thread runs below the loop's priority, so on a machine whose cores are busy it can go unscheduled for long
 * spells, and nothing would then bound the WAL. The backstop: every CHECK_COMMITS commits the writer reads the WAL
 * file's size (one fstat); past `hardCapFrames` frames it checkpoints itself in TRUNCATE mode (the cost the thread
 * exists to avoid, paid only while the thread is starved) and counts it in `forced`. The file only grows when the WAL
 * holds more frames than ever since its last truncation, so its size is a sound trigger. A checkpoint answers busy
 * while another is running, so a thread starved inside one delays the backstop until it gets the CPU back; the writer
 * tries again after every commit until then.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db } from './ledger.ts';

const AUTO_PAGES = 1000;
const STOP_WAIT_MS = 2000;
const CHECK_COMMITS = 64;
/** bytes of one WAL frame: a 24-byte header and the page */
const frameBytes = (pageSize: number) => pageSize + 24;

export interface CheckpointStats {
  /** checkpoints run by the thread */
  checkpoints: number;
  /** WAL frames at the thread's latest checkpoint, and how many of them it had moved into the database */
  walFrames: number;
  checkpointedFrames: number;
  /** restarts the writer ran itself (a WAL past restartFrames) */
  restarts: number;
  /** checkpoints the writer forced because the thread had fallen behind (a WAL file past hardCapFrames) */
  forced: number;
  /** the latest failure, if any (the automatic checkpoint is back then) */
  error?: string;
}

export interface CheckpointOptions {
  /**
   * ms between the thread's checkpoints (default 100). A replay at full speed writes ~16,000 WAL frames a second
   * here, and commits slow down as the WAL grows: with checkpoints every second the WAL held 30,000-45,000 frames
   * and the replay ran 40,500-48,500 bar messages/s; every 100 ms, under 11,000 frames and 50,900-51,700 (three
   * alternating runs each). An idle WAL makes a checkpoint a no-op, so a live daemon pays nothing for it.
   */
  readonly everyMs?: number;
  /** WAL frames past which the writer restarts the WAL after a commit */
  readonly restartFrames?: number;
  /** WAL frames past which the writer checkpoints itself, the thread having fallen behind (default 4 x restartFrames) */
  readonly hardCapFrames?: number;
}

export class Checkpointer {
  readonly stats: CheckpointStats = { checkpoints: 0, walFrames: 0, checkpointedFrames: 0, restarts: 0, forced: 0 };
  private worker: Worker | undefined;
  private restartDue = false;
  private readonly restartFrames: number;
  private readonly hardCapBytes: number;
  private readonly walFile: string;
  private commits = 0;
  private forceDue = false;
  /** set to 1 by the thread once its connection is closed (stop waits for it) */
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly db: Db,
    file: string,
    o: CheckpointOptions = {},
  ) {
    const everyMs = o.everyMs ?? 100;
    this.restartFrames = o.restartFrames ?? 16_384;
    if (!(everyMs > 0)) throw new Error(`checkpoint interval must be > 0 ms, got ${everyMs}`);
    if (!(this.restartFrames > 0)) throw new Error(`restartFrames must be > 0, got ${this.restartFrames}`);
    const hardCapFrames = o.hardCapFrames ?? 4 * this.restartFrames;
    if (!(hardCapFrames > this.restartFrames)) throw new Error(`hardCapFrames must exceed restartFrames (${this.restartFrames}), got ${hardCapFrames}`);
    this.hardCapBytes = hardCapFrames * frameBytes(db.pragma('page_size', { simple: true }) as number);
    this.walFile = `${file}-wal`;
    db.pragma('wal_autocheckpoint = 0');
    const w = new Worker(new URL('./checkpointThread.mjs', import.meta.url), { workerData: { file, everyMs, closed: this.closed } });
    w.on('message', (m: { log?: number; checkpointed?: number; error?: string }) => {
      if (m.error !== undefined) return this.fail(m.error);
      this.stats.checkpoints++;
      this.stats.walFrames = m.log ?? 0;
      this.stats.checkpointedFrames = m.checkpointed ?? 0;
      if (this.stats.walFrames > this.restartFrames) this.restartDue = true;
    });
    w.on('error', (e) => this.fail(e.message));
    w.on('exit', () => {
      if (this.worker === w) this.fail('the checkpoint thread exited');
    });
    // after the listeners (adding one refs the worker again): the thread never keeps the process alive
    w.unref();
    this.worker = w;
  }

  /**
   * The writer, outside a transaction: restarts the WAL if the thread found it past restartFrames, and checkpoints
   * itself if the WAL file grew past the hard cap while the thread was not looking.
   */
  afterCommit(): void {
    if (this.worker === undefined || !this.db.open || this.db.inTransaction) return;
    // both checkpoints answer busy (and do nothing) while the thread is inside one of its own: then after the next commit
    if (this.restartDue && this.checkpoint('RESTART')) {
      this.restartDue = false;
      this.stats.restarts++;
    }
    if (!this.forceDue && ++this.commits % CHECK_COMMITS === 0) {
      this.forceDue = (statSync(this.walFile, { throwIfNoEntry: false })?.size ?? 0) > this.hardCapBytes;
    }
    if (this.forceDue && this.checkpoint('TRUNCATE')) {
      this.forceDue = false;
      this.stats.forced++;
    }
  }

  /** true when the checkpoint ran to its end */
  private checkpoint(mode: 'RESTART' | 'TRUNCATE'): boolean {
    const [r] = this.db.pragma(`wal_checkpoint(${mode})`) as { busy: number }[];
    return r?.busy === 0;
  }

  private fail(why: string): void {
    this.stats.error = why;
    this.worker = undefined;
    this.restoreAuto();
  }

  private restoreAuto(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
  }

  /** true once the thread has closed its connection (after stop) */
  get threadClosed(): boolean {
    return Atomics.load(this.closed, 0) === 1;
  }

  /**
   * Stops the thread and waits (at most STOP_WAIT_MS) until its connection is closed, so that nothing touches the
   * database's files once the ledger is closed (a caller may delete them next); hands checkpoints back to SQLite.
   */
  stop(): void {
    const w = this.worker;
    if (w === undefined) return;
    this.worker = undefined;
    w.postMessage('stop');
    // the thread answers between two checkpoints: a few ms at most
    Atomics.wait(this.closed, 0, 0, STOP_WAIT_MS);
    this.restoreAuto();
  }
}
