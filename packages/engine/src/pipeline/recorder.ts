/**
 * A backtest's sink: every step of a pipeline kept in memory as whole-panel series (the experts' exposures, the
 * weights and regimes, the contest's proposals, rewards, windows and target), from which the report, the audit
 * trail and the baselines are made. The daemon's sink is the ledger (paper/store.ts).
 */
import { type BarPanel, EXPERT_NAMES, REGIMES } from '@arena/core';
import { type AgentSpec, type ContestRun, type WindowFrame, benchmarkAgent } from '@arena/contest';
import type { ExpertFaultRecord, ExpertSeries } from '@arena/experts';
import type { ChartSpec, RoutingSeries } from '@arena/router';
import type { Pipeline, StepResult } from './pipeline.ts';

const R = REGIMES.length;

export class StepRecorder {
  readonly exposure: Float64Array[];
  readonly weights: Float32Array;
  readonly regime: Float32Array;
  readonly target: Float64Array;
  readonly halts: { readonly t: number; readonly reason: string }[] = [];
  /** user experts disabled during the run, with the bar */
  readonly expertFaults: ExpertFaultRecord[] = [];
  private readonly E: number;
  /** the population's benchmark agent (benchmarkAgent), whatever the configured fallback */
  private readonly benchmark: number;
  private readonly contest: { proposals: Float32Array; barRewards: Float64Array; frames: WindowFrame[]; cashBars: number; benchmarkBars: number; agents: readonly AgentSpec[]; cost: number; slot: number } | undefined;

  constructor(
    readonly panel: BarPanel,
    contestAgents: readonly AgentSpec[] | undefined,
    /** the experts' names, built-in then the user's */
    readonly names: readonly string[] = EXPERT_NAMES,
  ) {
    const n = panel.nTimes * panel.nAssets;
    this.E = names.length;
    this.exposure = names.map(() => new Float64Array(n));
    this.weights = new Float32Array(n * this.E);
    this.regime = new Float32Array(n * R).fill(1 / R);
    this.target = new Float64Array(n);
    this.benchmark = contestAgents === undefined ? -1 : benchmarkAgent(contestAgents, names.length);
    this.contest = contestAgents === undefined ? undefined : { proposals: new Float32Array(n * contestAgents.length), barRewards: new Float64Array(panel.nTimes * contestAgents.length), frames: [], cashBars: 0, benchmarkBars: 0, agents: contestAgents, cost: NaN, slot: NaN };
  }

  record(step: StepResult, pipeline: Pipeline): void {
    const A = this.panel.nAssets;
    const { t } = step;
    const E = this.E;
    for (let e = 0; e < E; e++) this.exposure[e]!.set(step.experts.subarray(e * A, (e + 1) * A), t * A);
    this.weights.set(step.weights, t * A * E);
    if (step.regime) {
      this.regime.set(step.regime, t * A * R);
    }
    this.target.set(step.target, t * A);
    if (step.halted) this.halts.push({ t, reason: step.halted });
    if (step.expertFaults) this.expertFaults.push(...step.expertFaults);
    const c = this.contest;
    const stepper = pipeline.contest;
    if (c !== undefined && stepper !== undefined) {
      const N = c.agents.length;
      if (c.cost !== c.cost) ({ cost: c.cost, slot: c.slot } = stepper.costs);
      c.proposals.set(stepper.latestProposals(), t * N * A);
      c.barRewards.set(stepper.barReward, t * N);
      if (step.window) c.frames.push(step.window);
      if (stepper.contest.adopted.length === 0) c.cashBars++;
      if (stepper.contest.onBenchmark) c.benchmarkBars++;
    }
  }

  experts(): ExpertSeries[] {
    return this.names.map((name, e) => ({ name, exposure: this.exposure[e]!, confidence: new Float64Array(0) }));
  }

  routing(source: RoutingSeries['source'], note: string, chart: ChartSpec): RoutingSeries {
    return { nTimes: this.panel.nTimes, nAssets: this.panel.nAssets, weights: this.weights, regime: this.regime, source, note, chart };
  }

  contestRun(): ContestRun | undefined {
    const c = this.contest;
    if (c === undefined) return undefined;
    return { agents: c.agents, exposure: this.target, proposals: c.proposals, barRewards: c.barRewards, frames: c.frames, cashBars: c.cashBars, benchmarkBars: c.benchmarkBars, benchmark: this.benchmark, ts: this.panel.ts, cost: c.cost, slot: c.slot };
  }
}
