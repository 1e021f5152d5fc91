/**
 * The user's experts over bars, time-major (every asset at bar t, then bar t + 1), in a backtest's precomputation and
 * in the daemon alike, so a module with state shared across assets sees the same calls in both. An expert that fails
 * at a bar (ExpertFault: it threw, or returned a non-finite exposure; on its own thread also: a bar that took longer
 * than the limit) is disabled for the rest of the run: its exposure is 0 from that bar on, for every asset, and the
 * fault is reported once with the bar.
 */
import type { BarPanel } from '@arena/core';
import type { ExpertContext } from './expert.ts';
import { ExpertFault, SpecExpert } from './sdk.ts';
import type { UserExpert } from './userModule.ts';
import { type ThreadFault, UserExpertThread } from './userThread.ts';

export interface ExpertFaultRecord {
  readonly expert: string;
  readonly t: number;
  readonly reason: string;
}

export interface UserStageOptions {
  /**
   * ms one bar (every asset of it) of one expert may take: each expert runs on a thread of its own, and one that
   * takes longer is stopped and disabled. 0: the experts run on the caller's thread, without a limit. Default 0.
   */
  readonly timeoutMs?: number;
}

/** One user expert as the stage runs it: bars [t0, t1) into out[outStart + (t - t0) * nAssets + a]; a fault stops it. */
interface Runner {
  run(panel: BarPanel, t0: number, t1: number, out: Float64Array, outStart: number): ThreadFault | undefined;
  /** bar t, like run(panel, t, t + 1, ...); a thread may answer later (its wait does not block the caller's thread) */
  step(panel: BarPanel, t: number, out: Float64Array, outStart: number): ThreadFault | undefined | Promise<ThreadFault | undefined>;
  /** the next call starts afresh (a new instance after reset) with these params and context */
  restart(params?: UserExpert['params'], ctx?: ExpertContext): void;
  /** ends the expert's use after a fault (a restart revives it) */
  stop(): void;
  /** ends it for good */
  close(): void;
}

/** On the caller's thread: a step that never returns freezes it. */
class InlineRunner implements Runner {
  private expert: SpecExpert;
  private readonly row: Float64Array;
  private readonly confidence: Float64Array;
  /** a restart whose init threw: the next call returns it, as a thread reports an init that failed */
  private initFault: string | undefined;

  constructor(
    private readonly user: UserExpert,
    private ctx: ExpertContext,
  ) {
    this.expert = user.create();
    this.expert.reset(ctx);
    this.row = new Float64Array(ctx.nAssets);
    this.confidence = new Float64Array(ctx.nAssets);
  }

  restart(params: UserExpert['params'] = this.expert.params, ctx: ExpertContext = this.ctx): void {
    this.ctx = ctx;
    this.initFault = undefined;
    const x = new SpecExpert(this.user.name, this.user.spec, params);
    try {
      x.reset(ctx);
    } catch (e) {
      this.initFault = `expert ${this.user.name} init failed: ${(e as Error)?.message ?? String(e)}`;
    }
    this.expert = x;
  }

  stop(): void {}

  run(panel: BarPanel, t0: number, t1: number, out: Float64Array, outStart: number): ThreadFault | undefined {
    if (this.initFault !== undefined) return { t: t0, start: true, reason: this.initFault };
    const A = panel.nAssets;
    const x = this.expert;
    for (let t = t0; t < t1; t++) {
      try {
        for (let a = 0; a < A; a++) x.advance(panel, a, t, t + 1, this.row, this.confidence, 0);
      } catch (e) {
        return { t, reason: e instanceof ExpertFault ? e.message : `expert ${x.name} failed at bar ${t}: ${(e as Error)?.message ?? String(e)}` };
      }
      out.set(this.row, outStart + (t - t0) * A);
    }
    return undefined;
  }

  step(panel: BarPanel, t: number, out: Float64Array, outStart: number): ThreadFault | undefined {
    return this.run(panel, t, t + 1, out, outStart);
  }

  close(): void {}
}

export class UserExpertsStage {
  /** [u * nAssets + a] at the latest bar */
  readonly exposure: Float64Array;
  readonly names: readonly string[];
  private readonly runners: Runner[];
  private readonly disabled: boolean[];
  /** each expert's result at the latest bar (kept, not made per bar) */
  private readonly results: (ThreadFault | undefined | Promise<ThreadFault | undefined>)[];
  /** every fault so far, in bar order */
  readonly faults: ExpertFaultRecord[] = [];

  constructor(
    user: readonly UserExpert[],
    private readonly ctx: ExpertContext,
    options: UserStageOptions = {},
  ) {
    const timeoutMs = options.timeoutMs ?? 0;
    this.names = user.map((u) => u.name);
    this.runners = user.map((u) => (timeoutMs > 0 ? new UserExpertThread(u, ctx, timeoutMs) : new InlineRunner(u, ctx)));
    this.disabled = user.map(() => false);
    this.results = user.map(() => undefined);
    this.exposure = new Float64Array(user.length * ctx.nAssets);
  }

  /** Bar t of every asset, waited for on this thread; returns the faults of this bar (usually none). */
  step(panel: BarPanel, t: number): ExpertFaultRecord[] | undefined {
    const A = this.ctx.nAssets;
    const results = this.results;
    for (let u = 0; u < results.length; u++) results[u] = this.disabled[u] ? undefined : this.runners[u]!.run(panel, t, t + 1, this.exposure, u * A);
    return this.settle(results as readonly (ThreadFault | undefined)[]);
  }

  /**
   * The daemon's step(): the same outputs and faults, but an expert on its own thread that has not answered within a
   * short synchronous wait is waited for without blocking this thread (the result is then a promise), so a slow or
   * stuck bar leaves health checks, the dashboard and signals answered while its limit runs.
   */
  stepLive(panel: BarPanel, t: number): ExpertFaultRecord[] | undefined | Promise<ExpertFaultRecord[] | undefined> {
    const A = this.ctx.nAssets;
    const results = this.results;
    let waiting = false;
    for (let u = 0; u < results.length; u++) {
      const r = this.disabled[u] ? undefined : this.runners[u]!.step(panel, t, this.exposure, u * A);
      results[u] = r;
      if (r instanceof Promise) waiting = true;
    }
    if (!waiting) return this.settle(results as readonly (ThreadFault | undefined)[]);
    return Promise.all(results).then((rs) => this.settle(rs));
  }

  /** Each expert's result at a bar, in order: a fault zeroes its row and disables it. */
  private settle(results: readonly (ThreadFault | undefined)[]): ExpertFaultRecord[] | undefined {
    const A = this.ctx.nAssets;
    let faults: ExpertFaultRecord[] | undefined;
    for (let u = 0; u < results.length; u++) {
      const fault = results[u];
      if (fault === undefined) continue;
      this.exposure.fill(0, u * A, (u + 1) * A);
      (faults ??= []).push(this.disable(u, fault));
    }
    return faults;
  }

  /**
   * Bars [t0, t1) of every expert at once (a backtest's precomputation; each expert's calls are those of stepping):
   * expert u's exposure of bar t, asset a into series[u][t * nAssets + a], 0 from a fault's bar on.
   */
  run(panel: BarPanel, t0: number, t1: number, series: readonly Float64Array[]): void {
    const A = this.ctx.nAssets;
    for (let u = 0; u < this.runners.length; u++) {
      if (this.disabled[u]) continue;
      const fault = this.runners[u]!.run(panel, t0, t1, series[u]!, t0 * A);
      if (fault === undefined) continue;
      series[u]!.fill(0, fault.t * A, t1 * A);
      this.disable(u, fault);
    }
    this.faults.sort((x, y) => x.t - y.t);
  }

  /**
   * Every expert afresh for another run over bars of the same assets (params[u]: expert u's values; absent: the ones
   * it runs with; ctx: the run's context, e.g. its periodsPerYear; absent: the same), its faults and disabled experts
   * cleared. An expert on its own thread keeps it (an init, not a
   * thread's start: what many runs over one module need, optimize's trials, recursive-analysis's cuts).
   */
  restart(params?: readonly (UserExpert['params'] | undefined)[], ctx?: ExpertContext): void {
    for (let u = 0; u < this.runners.length; u++) {
      this.runners[u]!.restart(params?.[u], ctx);
      this.disabled[u] = false;
      this.results[u] = undefined;
    }
    this.faults.length = 0;
    this.exposure.fill(0);
  }

  /** Stops the experts' threads (none on the caller's thread). */
  close(): void {
    for (const r of this.runners) r.close();
  }

  /** threads started so far, over every expert (a restart on a running thread starts none; 0 on the caller's thread) */
  get threadStarts(): number {
    return this.runners.reduce((n, r) => n + (r instanceof UserExpertThread ? r.starts : 0), 0);
  }

  private disable(u: number, fault: ThreadFault): ExpertFaultRecord {
    this.disabled[u] = true;
    this.runners[u]!.stop();
    const f = { expert: this.names[u]!, t: fault.t, reason: `${fault.reason}; disabled for the rest of the run` };
    this.faults.push(f);
    return f;
  }
}
