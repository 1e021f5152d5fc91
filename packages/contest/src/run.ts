/**
 * The contest over a whole panel (backtests, eval): every agent's proposals for every bar, their rewards at every
 * horizon in one batch on the AgentRewards kernel (agents x assets x time), then the contest's windows in order.
 * Step mode (ContestStepper) gives the same proposals, rewards, frames and targets bar by bar.
 */
import { type BarPanel, EXPERT_NAMES, timeframeMs } from '@arena/core';
import { AgentRewardsKernel, type Implementation, type Matrix, type Runtime, agentRewardsCpu, runKernel } from '@arena/kernels';
import { type AgentSpec, benchmarkAgent, compileAgents } from './agents.ts';
import { Contest, type ContestSettings, type WindowFrame, closesWindow, contestHorizons } from './contest.ts';
import { type BarInputs, barIndex, proposeRange } from './proposals.ts';
import type { ContestSink } from './sink.ts';

export interface ContestInput {
  readonly panel: BarPanel;
  /** the experts' exposures and the router's weights the agents read */
  readonly bars: Omit<BarInputs, 'present'>;
  readonly agents: readonly AgentSpec[];
  readonly settings: ContestSettings;
  /** outcome horizons recorded per proposal, bars (1 is always scored) */
  readonly horizons: readonly number[];
  /** cost per unit of traded notional (fee + half spread) */
  readonly cost: number;
  /** fraction of equity per unit of exposure (maxGross / assets) */
  readonly slot: number;
  /** tensor runtime for the kernel; absent: the CPU reference */
  readonly runtime?: Runtime;
  readonly force?: Implementation;
  readonly sink?: ContestSink;
  /** the experts' names, in the order of bars.exposures (default: EXPERT_NAMES) */
  readonly experts?: readonly string[];
  readonly onProgress?: (done: number, total: number) => void;
  /** funding rate settled at each bar's open, [t * assets + a] (perpetuals: a long pays it): the rewards are net of it */
  readonly fundingDue?: Float64Array;
}

export interface ContestRun {
  readonly agents: readonly AgentSpec[];
  /** the contest's target exposure per bar and asset, [t * assets + a] */
  readonly exposure: Float64Array;
  /** [t * agents * assets + agent * assets + a] */
  readonly proposals: Float32Array;
  /** reward of each agent realised at bar t (its proposal of bar t - 1), [t * agents + agent]; NaN at t = 0 */
  readonly barRewards: Float64Array;
  readonly frames: readonly WindowFrame[];
  /** bars with nobody adopted */
  readonly cashBars: number;
  /** bars holding the benchmark agent because nobody cleared the hurdle (benchmark 'equal') */
  readonly benchmarkBars: number;
  /** the population's benchmark agent (benchmarkAgent; -1: none) */
  readonly benchmark: number;
  /** the bars' open times (the frames' ts refer to them) */
  readonly ts: Float64Array;
  /** the run's cost per unit of traded notional and slot (the track record's switching costs; replayContest reuses them) */
  readonly cost: number;
  readonly slot: number;
}

/**
 * Returns of holding from row s for h bars: close[s + h] / close[s] - 1, less the funding rates settled at the opens
 * of bars s + 1 .. s + h when given (a long pays a positive rate; ContestStepper sums them in the same order); NaN
 * where either bar is missing or beyond the panel.
 */
export function forwardReturns(panel: BarPanel, h: number, fundingDue?: Float64Array): Matrix {
  const { nTimes: T, nAssets: A, close, present } = panel;
  const data = new Float64Array(T * A).fill(NaN);
  for (let s = 0; s + h < T; s++) {
    for (let a = 0; a < A; a++) {
      const i = s * A + a;
      const j = (s + h) * A + a;
      if (!(present[i] === 1 && present[j] === 1 && close[i]! > 0)) continue;
      let r = close[j]! / close[i]! - 1;
      if (fundingDue !== undefined) r -= fundingOver(fundingDue, A, a, s + 1, s + h);
      data[i] = r;
    }
  }
  return { rows: T, cols: A, data };
}

/** Sum of the funding rates of asset a due at bars t0 .. t1 (missing rates count 0), in time order. */
function fundingOver(due: Float64Array, A: number, a: number, t0: number, t1: number): number {
  let f = 0;
  for (let t = t0; t <= t1; t++) {
    const d = due[t * A + a]!;
    if (d === d) f += d;
  }
  return f;
}

export async function runContest(input: ContestInput): Promise<ContestRun> {
  const { panel, settings } = input;
  const T = panel.nTimes;
  const A = panel.nAssets;
  const N = input.agents.length;
  const barMs = timeframeMs(panel.timeframe);
  const proposals = proposeRange(compileAgents(input.agents, input.bars.exposures.length), { ...input.bars, present: panel.present }, panel.ts, barMs, A, 0, T);
  const params = { slot: input.slot, cost: input.cost };
  const { recorded, scored: horizons } = contestHorizons(input.horizons);
  const rewards = new Map<number, Matrix>();
  for (const h of horizons) {
    const x = { proposals, agents: N, returns: forwardReturns(panel, h, input.fundingDue) };
    rewards.set(h, input.runtime ? await runKernel(input.runtime, AgentRewardsKernel, x, params, input.force) : agentRewardsCpu(x, params));
  }
  const r1 = rewards.get(1)!.data;
  const barRewards = new Float64Array(T * N).fill(NaN);
  barRewards.set(r1.subarray(0, (T - 1) * N), N);
  const benchmark = benchmarkAgent(input.agents, input.bars.exposures.length);
  const contest = new Contest(N, settings, panel.periodsPerYear(), benchmark, { slot: input.slot, cost: input.cost, nAssets: A });
  const exposure = new Float64Array(T * A);
  const frames: WindowFrame[] = [];
  const sink = input.sink;
  const experts = input.experts ?? EXPERT_NAMES;
  if (experts.length !== input.bars.exposures.length) throw new Error(`${input.bars.exposures.length} expert series for ${experts.length} names (${experts.join(', ')})`);
  sink?.begin(input.agents, panel.symbols, recorded, experts);
  let cashBars = 0;
  let benchmarkBars = 0;
  for (let t = 0; t < T; t++) {
    const ts = panel.ts[t]!;
    sink?.proposals(ts, proposals, t * N * A);
    if (sink) for (const h of recorded) if (t - h >= 0) sink.outcomes(panel.ts[t - h]!, h, ts, rewards.get(h)!.data, (t - h) * N);
    if (t > 0) {
      const frame = contest.observe(barRewards, t * N, ts, closesWindow(barIndex(ts, barMs), settings.window), proposals, t * N * A);
      if (frame) {
        frames.push(frame);
        sink?.window(frame);
      }
    }
    contest.combine(proposals, t * N * A, A, exposure, t * A);
    if (contest.adopted.length === 0) cashBars++;
    if (contest.onBenchmark) benchmarkBars++;
    if (input.onProgress && (t & 1023) === 0) input.onProgress(t, T);
  }
  input.onProgress?.(T, T);
  return { agents: input.agents, exposure, proposals, barRewards, frames, cashBars, benchmarkBars, benchmark, ts: panel.ts, cost: input.cost, slot: input.slot };
}

/**
 * The contest's windows replayed over a run's proposals and bar rewards with other settings (another hurdle, say):
 * the same statistics, score model and adoption as runContest, so the run's own settings give the run's exposure.
 * Cheap (no proposals, no rewards): what an evaluation needs to choose the hurdle on its training bars.
 */
export function replayContest(
  run: ContestRun,
  nAssets: number,
  settings: ContestSettings,
  periodsPerYear: number,
  barMs: number,
): { exposure: Float64Array; cashBars: number; benchmarkBars: number; onBenchmark: Uint8Array } {
  const T = run.ts.length;
  const N = run.agents.length;
  const A = nAssets;
  const contest = new Contest(N, settings, periodsPerYear, run.benchmark, { slot: run.slot, cost: run.cost, nAssets: A });
  const exposure = new Float64Array(T * A);
  let cashBars = 0;
  let benchmarkBars = 0;
  const onBenchmark = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    const ts = run.ts[t]!;
    if (t > 0) contest.observe(run.barRewards, t * N, ts, closesWindow(barIndex(ts, barMs), settings.window), run.proposals, t * N * A);
    contest.combine(run.proposals, t * N * A, A, exposure, t * A);
    if (contest.adopted.length === 0) cashBars++;
    if (contest.onBenchmark) {
      benchmarkBars++;
      onBenchmark[t] = 1;
    }
  }
  return { exposure, cashBars, benchmarkBars, onBenchmark };
}
