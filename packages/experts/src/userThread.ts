/**
 * A user's expert on a thread of its own, so that a `step` that never returns (or runs out of memory) disables that
 * expert instead of freezing the pipeline's thread. The caller copies a few bars' rows into shared memory, wakes the
 * thread and waits for it synchronously (Atomics.wait), so the expert sees the same calls, in the same order, as on the
 * caller's thread and the outputs are the same. The limit is on one bar (every asset of it): while the thread keeps
 * finishing bars the caller keeps waiting; a bar that takes longer than `timeoutMs` stops the thread (worker
 * terminate), and the expert is disabled from that bar on.
 */
import { Worker } from 'node:worker_threads';
import { type BarPanel, keepThreadPriority } from '@arena/core';
import type { ExpertContext } from './expert.ts';
import type { UserExpert } from './userModule.ts';

/** Int32 slots of the control block shared with the thread (userThreadWorker.ts reads the same). */
export const CTRL = {
  /** 0 loading, 3 loaded (init running), 1 ready, 2 failed to load or init (the message holds why) */
  ready: 0,
  /** request number, bumped by the caller */
  request: 1,
  /** the last request finished, set by the thread */
  done: 2,
  /** bars finished in total (the caller's progress check) */
  progress: 3,
  /** 0: the request's rows all stepped; 1: a fault at bar `faultRow` of the request (the message holds why) */
  status: 4,
  faultRow: 5,
  /** bytes of the message */
  messageBytes: 6,
  /** the thread's id (Linux tid; 0 where unknown), so a daemon that lowers its other threads leaves this one */
  tid: 7,
  SIZE: 8,
} as const;

/** Bytes of a fault message (longer ones are cut). */
export const MESSAGE_BYTES = 2048;
/** Numbers in the rows block per asset and bar: open, high, low, close, volume. */
export const FIELDS = 5;

/** What the thread is given when it starts. */
export interface UserThreadSetup {
  readonly name: string;
  readonly module: string;
  readonly params: UserExpert['params'];
  readonly ctx: ExpertContext;
  readonly symbols: readonly string[];
  /** bars per request at most */
  readonly capacity: number;
  readonly ctrl: SharedArrayBuffer;
  /** [field][row * nAssets + a], FIELDS blocks of capacity x nAssets float64 */
  readonly rows: SharedArrayBuffer;
  /** [row * nAssets + a], 1 where the bar is there */
  readonly present: SharedArrayBuffer;
  /** the bars' times, [row] */
  readonly ts: SharedArrayBuffer;
  /** [0]: the request's first bar, [1]: its rows */
  readonly span: SharedArrayBuffer;
  /** exposures out, [row * nAssets + a] */
  readonly out: SharedArrayBuffer;
  readonly message: SharedArrayBuffer;
}

/** A fault of the expert in a request: the bar and why (the thread is stopped after a timeout). */
export interface ThreadFault {
  readonly t: number;
  readonly reason: string;
  /** the thread did not start (the module did not load, or init threw): no bar ran */
  readonly start?: true;
}

/** The request in flight (one per thread at a time, so one object reused): its id, first bar, rows, assets, and the thread's progress when it was sent and last seen. */
interface Request {
  id: number;
  t0: number;
  n: number;
  A: number;
  progress0: number;
  progress: number;
  since: number;
}

/** dst[dstAt + i] = src[srcAt + i] for i < n (no views made: the daemon sends one bar per step). */
function copy(dst: Float64Array | Uint8Array, dstAt: number, src: Float64Array | Uint8Array, srcAt: number, n: number): void {
  for (let i = 0; i < n; i++) dst[dstAt + i] = src[srcAt + i]!;
}

type RequestState = 'done' | 'waiting' | 'stuck';

/** Atomics.waitAsync (Node 16+; the TypeScript lib here predates it). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/** ms a daemon step waits synchronously before it waits without blocking (a usual bar takes microseconds). */
const SYNC_WAIT_MS = 2;
/** ms between two looks at the thread's progress while it runs a bar. */
const SLICE_MS = 50;

/** Time the thread gets to load the module before its first bar (tsx compiles a .ts module on the way). */
const LOAD_TIMEOUT_MS = 60_000;
/** The thread's heap limit: past it the thread, not the process, is stopped, and the expert times out. */
const HEAP_LIMIT_MB = 1024;

export class UserExpertThread {
  private worker: Worker | undefined;
  private ctrl: Int32Array | undefined;
  private fields: Float64Array[] = [];
  private present: Uint8Array | undefined;
  private ts: Float64Array | undefined;
  private span: Float64Array | undefined;
  private out: Float64Array | undefined;
  private message: Uint8Array | undefined;
  private request = 0;
  private readonly pending: Request = { id: 0, t0: 0, n: 0, A: 0, progress0: 0, progress: 0, since: 0 };
  /** the thread's tid while it runs (0: unknown) */
  private tid = 0;
  /** set once the thread failed or was stopped: every later call returns it (until restart) */
  private dead: ThreadFault | undefined;
  /** the params the expert runs with (the module's resolved ones unless restart gave others) */
  private params: UserExpert['params'];
  /** the context of the expert's next start (restart may give another: a cut of the bars has its own periodsPerYear) */
  private ctx: ExpertContext;
  /** close() was called: no thread starts again, restart or not */
  private closed = false;
  /** threads started so far (a restart on a running thread starts none) */
  starts = 0;
  /** restart() was called: the next call starts the expert afresh */
  private restartWanted = false;

  constructor(
    private readonly user: UserExpert,
    ctx: ExpertContext,
    /** ms one bar may take; past it the thread is stopped */
    readonly timeoutMs: number,
    /** bars per request at most */
    readonly capacity = 256,
  ) {
    this.params = user.params;
    this.ctx = ctx;
  }

  /**
   * The next call starts the expert afresh, as a new instance after reset (each asset's init again), with these
   * params and context (default: the ones it runs with): a run over another panel of the same assets, or other values
   * (optimize). The thread and its loaded module are kept, so this costs an init, not a thread's start; a thread
   * stopped by a fault is replaced by a new one. After close() nothing starts again.
   */
  restart(params: UserExpert['params'] = this.params, ctx: ExpertContext = this.ctx): void {
    if (ctx.nAssets !== this.ctx.nAssets) throw new Error(`expert ${this.name}'s thread serves ${this.ctx.nAssets} assets, not ${ctx.nAssets}`);
    this.params = params;
    this.ctx = ctx;
    this.restartWanted = true;
  }

  get name(): string {
    return this.user.name;
  }

  /** the thread's Linux tid while it runs (0 before it starts, after it ends, or where unknown) */
  get threadId(): number {
    return this.tid;
  }

  /**
   * Steps bars [t0, t1) of every asset (time-major) on the thread; exposure of bar t, asset a at
   * out[outStart + (t - t0) * nAssets + a]. On a fault at bar t the rows from t on are left as they were and the fault
   * is returned; the thread is then of no further use (every later call returns the same fault).
   */
  run(panel: BarPanel, t0: number, t1: number, out: Float64Array, outStart: number): ThreadFault | undefined {
    const unusable = this.ready(panel.symbols, t0);
    if (unusable !== undefined) return unusable;
    const A = panel.nAssets;
    for (let from = t0; from < t1; from += this.capacity) {
      const to = Math.min(t1, from + this.capacity);
      const fault = this.ended(this.request1(panel, from, to, out, outStart + (from - t0) * A));
      if (fault !== undefined) return fault;
    }
    return undefined;
  }

  /** Stops the thread for good (idempotent): every later call returns 'closed', restart or not. */
  close(): void {
    this.closed = true;
    this.stop();
  }

  /** Stops the thread (idempotent); a restart() starts a new one. */
  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    this.dead ??= { t: -1, reason: 'closed' };
    if (this.tid !== 0) keepThreadPriority(this.tid, false);
    this.tid = 0;
    if (w !== undefined) void w.terminate();
  }

  /** The params and context as a restarting thread is sent them: JSON in the message block. */
  private restartMessage(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ params: this.params, ctx: this.ctx }));
  }

  /** Past the message block's size the params are refused, at a thread's start too, so both paths agree. */
  private tooLarge(bytes: Uint8Array, t: number): ThreadFault | undefined {
    return bytes.length > MESSAGE_BYTES ? { t, start: true, reason: `expert ${this.name}'s params take ${bytes.length} bytes as JSON, over the ${MESSAGE_BYTES} a thread is sent` } : undefined;
  }

  private start(symbols: readonly string[], t: number): ThreadFault | undefined {
    const big = this.tooLarge(this.restartMessage(), t);
    if (big !== undefined) return big;
    this.starts++;
    const A = this.ctx.nAssets;
    const K = this.capacity;
    const sab = (bytes: number) => new SharedArrayBuffer(bytes);
    const setup: UserThreadSetup = {
      name: this.user.name,
      module: this.user.module,
      params: this.params,
      ctx: { nAssets: this.ctx.nAssets, periodsPerYear: this.ctx.periodsPerYear },
      symbols: [...symbols],
      capacity: K,
      ctrl: sab(CTRL.SIZE * 4),
      rows: sab(FIELDS * K * A * 8),
      present: sab(K * A),
      ts: sab(K * 8),
      span: sab(16),
      out: sab(K * A * 8),
      message: sab(MESSAGE_BYTES),
    };
    this.ctrl = new Int32Array(setup.ctrl);
    this.fields = Array.from({ length: FIELDS }, (_, f) => new Float64Array(setup.rows, f * K * A * 8, K * A));
    this.present = new Uint8Array(setup.present);
    this.ts = new Float64Array(setup.ts);
    this.span = new Float64Array(setup.span);
    this.out = new Float64Array(setup.out);
    this.message = new Uint8Array(setup.message);
    const worker = new Worker(new URL('./userThreadWorker.mjs', import.meta.url), { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } });
    // the thread never holds the process open, and its end (an error, out of memory) is seen through the control block
    worker.unref();
    // (an 'error' without a listener would be thrown on this thread)
    worker.on('error', () => undefined);
    this.worker = worker;
    // loading (tsx compiles a .ts module) gets its own time; init, like a bar, gets the expert's limit
    let r = Atomics.wait(this.ctrl, CTRL.ready, 0, LOAD_TIMEOUT_MS);
    let state = Atomics.load(this.ctrl, CTRL.ready);
    if (state === 3) {
      r = Atomics.wait(this.ctrl, CTRL.ready, 3, this.timeoutMs);
      state = Atomics.load(this.ctrl, CTRL.ready);
    }
    if (state === 1) {
      // the loop waits on this thread: a daemon's lowering of its other threads must leave it (paper.ts)
      this.tid = Atomics.load(this.ctrl, CTRL.tid);
      if (this.tid !== 0) keepThreadPriority(this.tid);
      return undefined;
    }
    this.stop();
    if (state === 2) return { t, start: true, reason: `expert ${this.name} could not start on its thread: ${this.readMessage()}` };
    if (state === 3) return { t, start: true, reason: `expert ${this.name} init did not finish within ${this.timeoutMs} ms (${r}); its thread was stopped` };
    return { t, start: true, reason: `expert ${this.name} did not load on its thread within ${LOAD_TIMEOUT_MS / 1000} s (${r})` };
  }

  /**
   * The daemon's step: bar t, like run(panel, t, t + 1, ...), but past a short synchronous wait (a usual bar takes
   * microseconds) it waits without blocking this thread, so a slow or stuck bar does not stall health checks, the
   * dashboard or signals while the limit runs.
   */
  step(panel: BarPanel, t: number, out: Float64Array, outStart: number): ThreadFault | undefined | Promise<ThreadFault | undefined> {
    const unusable = this.ready(panel.symbols, t);
    if (unusable !== undefined) return unusable;
    const r = this.send(panel, t, t + 1);
    const first = this.await(r, SYNC_WAIT_MS);
    if (first !== 'waiting') return this.ended(this.collect(r, first, out, outStart));
    return this.awaitAsync(r).then((state) => this.ended(this.collect(r, state, out, outStart)));
  }

  /** Starts the thread at the first call (or after restart()); the fault that makes it unusable, if any. */
  private ready(symbols: readonly string[], t: number): ThreadFault | undefined {
    if (this.restartWanted && !this.closed) {
      this.restartWanted = false;
      if (this.worker !== undefined && this.dead === undefined) return this.ended(this.reinit(t));
      // no thread, or one stopped by a fault: a new one (with the params now wanted)
      this.stop();
      this.dead = undefined;
    }
    if (this.dead === undefined && this.worker === undefined) this.ended(this.start(symbols, t));
    return this.dead;
  }

  /** A fresh expert on the running thread with this.params: init within the limit, as at the thread's start. */
  private reinit(t: number): ThreadFault | undefined {
    const ctrl = this.ctrl!;
    const bytes = this.restartMessage();
    const big = this.tooLarge(bytes, t);
    if (big !== undefined) return big;
    this.message!.set(bytes);
    Atomics.store(ctrl, CTRL.messageBytes, bytes.length);
    // a request of no rows (span[1] < 0): init, one unit of work, so a hang past the limit is 'stuck'
    this.span![0] = t;
    this.span![1] = -1;
    const r = this.pending;
    r.id = ++this.request;
    r.t0 = t;
    r.n = 1;
    r.A = 0;
    r.progress0 = r.progress = Atomics.load(ctrl, CTRL.progress);
    r.since = performance.now();
    Atomics.store(ctrl, CTRL.request, r.id);
    Atomics.notify(ctrl, CTRL.request);
    let state: RequestState = 'waiting';
    while (state === 'waiting') state = this.await(r, SLICE_MS);
    if (state === 'stuck') {
      this.stop();
      return { t, start: true, reason: `expert ${this.name} init did not finish within ${this.timeoutMs} ms; its thread was stopped` };
    }
    if (Atomics.load(ctrl, CTRL.status) === 1) return { t, start: true, reason: `expert ${this.name} ${this.readMessage()}` };
    return undefined;
  }

  /** A fault ends the thread's use: every later call returns it. */
  private ended(fault: ThreadFault | undefined): ThreadFault | undefined {
    if (fault !== undefined) this.dead = fault;
    return fault;
  }

  /** One request of bars [t0, t1) (t1 - t0 <= capacity), waited for synchronously. */
  private request1(panel: BarPanel, t0: number, t1: number, out: Float64Array, outStart: number): ThreadFault | undefined {
    const r = this.send(panel, t0, t1);
    let state: RequestState = 'waiting';
    while (state === 'waiting') state = this.await(r, SLICE_MS);
    return this.collect(r, state, out, outStart);
  }

  /** Copies the rows into shared memory and wakes the thread. */
  private send(panel: BarPanel, t0: number, t1: number): Request {
    const ctrl = this.ctrl!;
    const A = panel.nAssets;
    const n = t1 - t0;
    const from = t0 * A;
    const cells = n * A;
    const f = this.fields;
    copy(f[0]!, 0, panel.open, from, cells);
    copy(f[1]!, 0, panel.high, from, cells);
    copy(f[2]!, 0, panel.low, from, cells);
    copy(f[3]!, 0, panel.close, from, cells);
    copy(f[4]!, 0, panel.volume, from, cells);
    copy(this.present!, 0, panel.present, from, cells);
    copy(this.ts!, 0, panel.ts, t0, n);
    this.span![0] = t0;
    this.span![1] = n;
    const r = this.pending;
    r.id = ++this.request;
    r.t0 = t0;
    r.n = n;
    r.A = A;
    r.progress0 = r.progress = Atomics.load(ctrl, CTRL.progress);
    r.since = performance.now();
    Atomics.store(ctrl, CTRL.request, r.id);
    Atomics.notify(ctrl, CTRL.request);
    return r;
  }


  /** Waits synchronously up to `ms` (Atomics.wait), then says where the request stands. */
  private await(r: Request, ms: number): RequestState {
    const done = Atomics.load(this.ctrl!, CTRL.done);
    if (done !== r.id) Atomics.wait(this.ctrl!, CTRL.done, done, ms);
    return this.check(r);
  }

  /** Waits without blocking this thread (Atomics.waitAsync, a timer holding the process open meanwhile). */
  private async awaitAsync(r: Request): Promise<RequestState> {
    const hold = setInterval(() => undefined, 1000);
    try {
      for (;;) {
        const done = Atomics.load(this.ctrl!, CTRL.done);
        if (done !== r.id) {
          const w = waitAsync(this.ctrl!, CTRL.done, done, SLICE_MS);
          if (w.async) await w.value;
        }
        const state = this.check(r);
        if (state !== 'waiting') return state;
      }
    } finally {
      clearInterval(hold);
    }
  }

  /** done, or still within the limit (waiting), or a bar past it without progress (stuck). */
  private check(r: Request): RequestState {
    const ctrl = this.ctrl!;
    if (Atomics.load(ctrl, CTRL.done) === r.id) return 'done';
    const now = performance.now();
    const p = Atomics.load(ctrl, CTRL.progress);
    if (p !== r.progress) {
      r.progress = p;
      r.since = now;
      return 'waiting';
    }
    // (every row finished: the thread is only storing `done`, no user code runs; keep waiting)
    return p - r.progress0 < r.n && now - r.since > this.timeoutMs ? 'stuck' : 'waiting';
  }

  /** The outputs of a finished (or stuck) request into out; its fault, if any. */
  private collect(r: Request, state: RequestState, out: Float64Array, outStart: number): ThreadFault | undefined {
    const ctrl = this.ctrl!;
    const A = r.A;
    if (state === 'stuck') {
      const finished = Atomics.load(ctrl, CTRL.progress) - r.progress0;
      const t = r.t0 + finished;
      // the rows it finished are good; the rest stays as the caller holds it
      copy(out, outStart, this.out!, 0, finished * A);
      this.stop();
      return {
        t,
        reason: `expert ${this.name} did not finish bar ${t} within ${this.timeoutMs} ms (a step that never returns, or its thread ran out of memory or ended); its thread was stopped`,
      };
    }
    if (Atomics.load(ctrl, CTRL.status) === 1) {
      const row = Atomics.load(ctrl, CTRL.faultRow);
      copy(out, outStart, this.out!, 0, row * A);
      return { t: r.t0 + row, reason: this.readMessage() };
    }
    copy(out, outStart, this.out!, 0, r.n * A);
    return undefined;
  }

  private readMessage(): string {
    const n = Math.min(MESSAGE_BYTES, Atomics.load(this.ctrl!, CTRL.messageBytes));
    return new TextDecoder().decode(this.message!.slice(0, n));
  }
}
