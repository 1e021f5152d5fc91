/**
 * The contest bar by bar (paper trading): the same proposals, rewards, windows, ledger calls and targets as
 * runContest over the same bars, from rings of the last few bars' proposals and closes. Allocates nothing per
 * bar except a frame when a window closes.
 */
import { EXPERT_NAMES } from '@arena/core';
import { agentRewardRow } from '@arena/kernels';
import { type AgentSpec, benchmarkAgent, compileAgents } from './agents.ts';
import { Contest, type ContestSettings, type WindowFrame, closesWindow, contestHorizons } from './contest.ts';
import { type BarInputs, ProposalScratch, barIndex, proposeRow } from './proposals.ts';
import type { ContestSink } from './sink.ts';

export interface StepperOptions {
  readonly agents: readonly AgentSpec[];
  readonly settings: ContestSettings;
  readonly horizons: readonly number[];
  readonly nAssets: number;
  readonly symbols: readonly string[];
  readonly barMs: number;
  /** bars per year (BarPanel.periodsPerYear of the market), for the annualised hurdle */
  readonly periodsPerYear: number;
  readonly cost: number;
  readonly slot: number;
  readonly sink?: ContestSink;
  /** the experts the agents' subsets index: the built-in ones, then the user's (default: EXPERT_NAMES) */
  readonly experts?: readonly string[];
}

export class ContestStepper {
  readonly contest: Contest;
  /** the latest bar's target per asset */
  readonly target: Float64Array;
  /** each agent's reward realised at the latest bar (its proposal of the bar before; NaN at the first bar) */
  readonly barReward: Float64Array;
  private readonly scratch: ProposalScratch;
  private readonly ring: number;
  private readonly proposals: Float32Array;
  private readonly closes: Float64Array;
  private readonly present: Uint8Array;
  private readonly ts: Float64Array;
  /** funding rate due at each ring bar's open, [k * assets + a] (0 without funding) */
  private readonly due: Float64Array;
  private readonly returns: Float64Array;
  private readonly reward: Float64Array;
  private readonly recorded: number[];
  /** the recorded horizons and 1 (always scored), ascending */
  private readonly scored: number[];
  private bars = 0;
  /** a funding rate has been due: the rewards subtract the ring's rates from then on */
  private funded = false;
  /** where the record goes; unset while a restart replays bars the ledger already holds */
  sink: ContestSink | undefined;

  constructor(private readonly o: StepperOptions) {
    this.sink = o.sink;
    const N = o.agents.length;
    const A = o.nAssets;
    ({ recorded: this.recorded, scored: this.scored } = contestHorizons(o.horizons));
    this.ring = Math.max(...this.scored) + 2;
    const experts = o.experts ?? EXPERT_NAMES;
    this.contest = new Contest(N, o.settings, o.periodsPerYear, benchmarkAgent(o.agents, experts.length), { slot: o.slot, cost: o.cost, nAssets: A });
    this.scratch = new ProposalScratch(compileAgents(o.agents, experts.length), A);
    this.proposals = new Float32Array(this.ring * N * A);
    this.closes = new Float64Array(this.ring * A);
    this.present = new Uint8Array(this.ring * A);
    this.ts = new Float64Array(this.ring);
    this.due = new Float64Array(this.ring * A);
    this.returns = new Float64Array(A);
    this.reward = new Float64Array(N);
    this.target = new Float64Array(A);
    this.barReward = new Float64Array(N).fill(NaN);
    o.sink?.begin(o.agents, o.symbols, this.recorded, experts);
  }

  get agents(): readonly AgentSpec[] {
    return this.o.agents;
  }

  /** The cost per unit of traded notional and the slot the rewards (and the track record's switching costs) use. */
  get costs(): { readonly cost: number; readonly slot: number } {
    return { cost: this.o.cost, slot: this.o.slot };
  }

  /** The latest proposals, [agent * assets + a]. */
  latestProposals(): Float32Array {
    const row = this.o.agents.length * this.o.nAssets;
    const k = (this.bars - 1) % this.ring;
    return this.proposals.subarray(k * row, (k + 1) * row);
  }

  /**
   * Bar t has closed: `input` holds the experts' exposures and router weights at row t ([t * assets + a]), and
   * close/present that bar's prices; fundingDue[fundingOffset + a] the funding rate settled at its open (perpetuals;
   * the rewards are net of it, as runContest's). Returns the frame when a window closed here; the target is in `this.target`.
   */
  step(input: BarInputs, t: number, ts: number, close: ArrayLike<number>, closeOffset: number, fundingDue?: ArrayLike<number>, fundingOffset = 0): WindowFrame | undefined {
    const { o, ring } = this;
    const N = o.agents.length;
    const A = o.nAssets;
    const row = N * A;
    const k = this.bars % ring;
    const slot = (back: number) => (this.bars - back + ring * 4) % ring;
    this.ts[k] = ts;
    for (let a = 0; a < A; a++) {
      this.closes[k * A + a] = close[closeOffset + a]!;
      this.present[k * A + a] = input.present[t * A + a] === 1 ? 1 : 0;
      const d = fundingDue === undefined ? 0 : fundingDue[fundingOffset + a]!;
      this.due[k * A + a] = d === d ? d : 0;
      if (d !== 0 && d === d) this.funded = true;
    }
    proposeRow(this.scratch, input, t, barIndex(ts, o.barMs), this.bars > 0 ? this.proposals : undefined, slot(1) * row, this.proposals, k * row);
    this.sink?.proposals(ts, this.proposals, k * row);
    const p = { slot: o.slot, cost: o.cost };
    let frame: WindowFrame | undefined;
    for (const h of this.scored) {
      if (this.bars - h < 0) continue;
      const s = slot(h);
      for (let a = 0; a < A; a++) {
        const ok = this.present[s * A + a] === 1 && this.present[k * A + a] === 1 && this.closes[s * A + a]! > 0;
        let r = ok ? this.closes[k * A + a]! / this.closes[s * A + a]! - 1 : NaN;
        if (ok && this.funded) {
          // the rates due at the opens after s, in time order (as forwardReturns sums them)
          let f = 0;
          for (let back = h - 1; back >= 0; back--) f += this.due[slot(back) * A + a]!;
          r -= f;
        }
        this.returns[a] = r;
      }
      const prev = this.bars - h - 1 >= 0 ? this.proposals : undefined;
      agentRewardRow(this.proposals, s * row, prev, slot(h + 1) * row, this.returns, 0, N, A, p, this.reward, 0);
      if (this.recorded.includes(h)) this.sink?.outcomes(this.ts[s]!, h, ts, this.reward, 0);
      if (h === 1) {
        this.barReward.set(this.reward);
        frame = this.contest.observe(this.reward, 0, ts, closesWindow(barIndex(ts, o.barMs), o.settings.window), this.proposals, k * row);
      }
    }
    if (frame) this.sink?.window(frame);
    this.contest.combine(this.proposals, k * row, A, this.target, 0);
    this.bars++;
    return frame;
  }
}
