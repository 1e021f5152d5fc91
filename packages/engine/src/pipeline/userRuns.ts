/**
 * The user's experts over whole panels: once (a backtest's precomputation) or panel after panel of the same assets
 * (optimize's trials, recursive-analysis's cuts), where each expert keeps its thread across the runs and is restarted
 * per run (an init, not a thread's start of ~0.6 s). Each expert's calls are those of the daemon's stepping, faults
 * included.
 */
import { type BarPanel, ERR, arenaError } from '@arena/core';
import { type ExpertFaultRecord, type ExpertSeries, type ParamValue, type UserExpert, UserExpertsStage } from '@arena/experts';

export class UserExpertRuns {
  private stage: UserExpertsStage | undefined;

  constructor(
    readonly user: readonly UserExpert[],
    /** the assets every panel has (each run takes its panel's periodsPerYear) */
    readonly nAssets: number,
    /** experts.userTimeoutMs: each expert on its own thread with that limit per bar; 0: on this thread */
    readonly timeoutMs = 0,
  ) {}

  /** Every bar of the panel, each expert afresh (params[u]: expert u's values; absent: its own). */
  run(panel: BarPanel, params?: readonly (Readonly<Record<string, ParamValue>> | undefined)[]): { series: ExpertSeries[]; faults: ExpertFaultRecord[] } {
    if (this.user.length === 0) return { series: [], faults: [] };
    const A = panel.nAssets;
    if (A !== this.nAssets) throw new Error(`user experts set up for ${this.nAssets} assets were given a panel of ${A}`);
    const T = panel.nTimes;
    // the panel's own context: a cut of the bars may have another periodsPerYear than the whole
    const ctx = { nAssets: A, periodsPerYear: panel.periodsPerYear() };
    if (this.stage === undefined) {
      this.stage = new UserExpertsStage(this.user, ctx, { timeoutMs: this.timeoutMs });
      if (params !== undefined) this.stage.restart(params, ctx);
    } else this.stage.restart(params, ctx);
    const series = this.user.map((u) => ({ name: u.name, exposure: new Float64Array(T * A), confidence: new Float64Array(0) }));
    this.stage.run(
      panel,
      0,
      T,
      series.map((s) => s.exposure),
    );
    return { series, faults: [...this.stage.faults] };
  }

  /** A fault of one of these experts as a command's error (ARENA_E_EXPERT_MODULE): the module, then where and why. */
  faultError(f: ExpertFaultRecord, where: string): Error {
    const u = this.user.find((x) => x.name === f.expert)!;
    return arenaError(ERR.EXPERT_MODULE, `${u.name} (${u.module})`, `${where}: ${f.reason.replace(/; disabled for the rest of the run$/, '')}`);
  }

  /** Stops the experts' threads. */
  close(): void {
    this.stage?.close();
    this.stage = undefined;
  }
}

/**
 * The user's experts over every bar, once. timeoutMs: experts.userTimeoutMs (each on its own thread with that limit
 * per bar); 0 or absent: on this thread.
 */
export function runUserExperts(panel: BarPanel, user: readonly UserExpert[], ctx: { nAssets: number; periodsPerYear: number }, timeoutMs = 0): { series: ExpertSeries[]; faults: ExpertFaultRecord[] } {
  const runs = new UserExpertRuns(user, ctx.nAssets, timeoutMs);
  try {
    return runs.run(panel);
  } finally {
    runs.close();
  }
}
