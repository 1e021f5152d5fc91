/**
 * The contest's state machine, shared by the batch run and the step-by-step one: it takes each bar's realised
 * agent rewards, and at the end of every scoring window scores the agents, feeds the score model the pairs
 * (statistics at the previous window's end -> this window's Sharpe), refits it, predicts each agent's next-window
 * Sharpe from the statistics known now, shrinks the prediction towards the prior, and re-adopts. Between windows
 * the adopted weights stay fixed; the target of a bar is the adopted agents' weighted proposals. With
 * `benchmark: 'equal'` every agent is scored on its reward minus the benchmark agent's, and the benchmark is held
 * whenever nobody clears the hurdle (from the first bar on), so the book is never in cash.
 */
import type { ArenaConfig } from '@arena/core';
import { allocate } from './allocation.ts';
import { OnlineRidge } from './ridge.ts';
import { AgentStats, N_FEATURES } from './stats.ts';
import { TrackRecord } from './trackRecord.ts';

export type ContestSettings = Omit<ArenaConfig['contest'], 'enabled' | 'agents' | 'seed' | 'horizons' | 'dataTeam'>;

/** What the contest knew and decided at the end of one window (one leaderboard frame). */
export interface WindowFrame {
  /** open time of the window's last bar, ms */
  readonly ts: number;
  /** windows closed so far, this one included */
  readonly index: number;
  /** the score model had enough pairs to predict */
  readonly ready: boolean;
  readonly pairs: number;
  /** per agent: the window's realised per-bar Sharpe (0 without rewards) */
  readonly realized: Float64Array;
  /** per agent: the shrunk predicted per-bar Sharpe for the next window (NaN: not predicted) */
  readonly predicted: Float64Array;
  /** adopted agents, best first, and the weight of every agent (0 if not adopted) */
  readonly adopted: readonly number[];
  readonly weights: Float64Array;
  /** nobody adopted: the book is in cash */
  readonly cash: boolean;
  /** nobody cleared the hurdle, or the track record withheld the choice, and the benchmark agent is held (benchmark 'equal') */
  readonly onBenchmark: boolean;
  /** the t-statistic of the score model's track record at this window's end (NaN: no track record) */
  readonly recordT: number;
  /** the score model chose agents but its track record fell short, so the fallback is held */
  readonly withheld: boolean;
}

/** Bars of reward history kept for the covariance allocation. */
const HISTORY_WINDOWS = 10;

/** The horizons recorded in the ledger (as configured, ascending, once each) and those scored (1 always added). */
export function contestHorizons(configured: readonly number[]): { recorded: number[]; scored: number[] } {
  const recorded = [...new Set(configured)].sort((a, b) => a - b);
  return { recorded, scored: [...new Set([1, ...recorded])].sort((a, b) => a - b) };
}

/** What moving the track record's book costs (Contest's `switching`): the agents' reward units. */
export interface SwitchingCost {
  /** fraction of equity per unit of exposure (maxGross / assets) */
  readonly slot: number;
  /** cost per unit of traded notional (fee + half spread) */
  readonly cost: number;
  readonly nAssets: number;
}

export function closesWindow(bar: number, window: number): boolean {
  return (bar + 1) % window === 0;
}

export class Contest {
  readonly stats: AgentStats;
  readonly model: OnlineRidge;
  /** adopted weights per agent, in force until the next window closes */
  readonly weights: Float64Array;
  adopted: number[] = [];
  windows = 0;
  /** windows that contributed pairs to the score model */
  private pairWindows = 0;
  private readonly prevFeatures: Float64Array;
  private prevValid = false;
  private readonly features: Float64Array;
  private readonly target: Float64Array;
  private readonly predicted: Float64Array;
  private readonly eligible: Uint8Array;
  private readonly history: Float64Array;
  private readonly historyBars: number;
  private historyFill = 0;
  private historyNext = 0;

  /** the hurdle in per-bar Sharpe */
  private readonly hurdle: number;
  /** the benchmark agent's index (benchmark 'equal'), else -1 */
  readonly benchmark: number;
  /** the bar's rewards minus the benchmark's (benchmark 'equal') */
  private readonly excess: Float64Array;
  /** the score model's choice at the last window's end, traded or not, and its record (contest.trackRecord) */
  private readonly choice: Float64Array;
  private chosen: number[] = [];
  readonly record: TrackRecord | undefined;
  /** the record's book before and after a window's choice, per asset (switching costs; empty without them) */
  private readonly bookBefore: Float64Array;
  private readonly bookAfter: Float64Array;

  constructor(
    readonly nAgents: number,
    readonly settings: ContestSettings,
    /** bars per year, to turn the annualised hurdle into per-bar units */
    periodsPerYear: number,
    /** index of the population's benchmark agent (benchmarkAgent); required with benchmark 'equal' */
    benchmarkAgent = -1,
    /**
     * what a change of choice costs the track record: the agents' rewards carry each agent's own trading, not the
     * move from one chosen book to the next; with this, the record pays slot x cost x the turnover of that move
     * (observe then needs the bar's proposals). Absent: the record sees the rewards alone.
     */
    readonly switching?: SwitchingCost,
  ) {
    this.hurdle = settings.minSharpe / Math.sqrt(periodsPerYear);
    const N = nAgents;
    if (settings.benchmark === 'equal' && !(benchmarkAgent >= 0 && benchmarkAgent < N)) {
      throw new Error(`contest.benchmark 'equal' needs the benchmark agent (equal weights over every expert, appetite 1, directional, shortest horizon) in the population, got index ${benchmarkAgent}`);
    }
    this.benchmark = settings.benchmark === 'equal' ? benchmarkAgent : -1;
    this.excess = new Float64Array(this.benchmark >= 0 ? N : 0);
    this.stats = new AgentStats(N);
    this.model = new OnlineRidge(N_FEATURES, settings.ridge);
    this.weights = new Float64Array(N);
    this.prevFeatures = new Float64Array(N * N_FEATURES);
    this.features = new Float64Array(N * N_FEATURES);
    this.target = new Float64Array(N);
    this.predicted = new Float64Array(N);
    this.eligible = new Uint8Array(N);
    this.historyBars = settings.allocation === 'covariance' ? settings.window * HISTORY_WINDOWS : 0;
    this.history = new Float64Array(this.historyBars * N);
    this.choice = new Float64Array(N);
    const tr = settings.trackRecord;
    this.record = tr.windows > 0 ? new TrackRecord(tr.windows) : undefined;
    const books = this.record !== undefined && switching !== undefined ? switching.nAssets : 0;
    this.bookBefore = new Float64Array(books);
    this.bookAfter = new Float64Array(books);
    this.holdBenchmark();
  }

  /** Nobody adopted: the benchmark agent takes the whole book (benchmark 'equal'); with 'cash' nothing happens. */
  private holdBenchmark(): void {
    if (this.benchmark < 0 || this.adopted.length > 0) return;
    this.weights.fill(0);
    this.weights[this.benchmark] = 1;
    this.adopted = [this.benchmark];
  }

  /** Nobody beat the hurdle and the benchmark is held. */
  get onBenchmark(): boolean {
    return this.benchmark >= 0 && this.adopted.length === 1 && this.adopted[0] === this.benchmark;
  }

  /**
   * One closed bar: reward[offset + i] is agent i's reward for it (the proposal it made at the previous bar, after
   * costs; NaN: none). When `closes` the scoring window ends here and a frame is returned. `proposals` at
   * proposalOffset: the bar's proposals ([agent * assets + a]), which the switching costs need at a window's end.
   */
  observe(reward: ArrayLike<number>, offset: number, ts: number, closes: boolean, proposals?: Float32Array, proposalOffset = 0): WindowFrame | undefined {
    const N = this.nAgents;
    if (this.benchmark >= 0) {
      // scored relative to the benchmark: a missing benchmark reward (the first bar) leaves every excess NaN
      const base = reward[offset + this.benchmark]!;
      for (let i = 0; i < N; i++) this.excess[i] = reward[offset + i]! - base;
      reward = this.excess;
      offset = 0;
    }
    this.stats.observe(reward, offset);
    this.record?.observe(reward, offset, this.choice, this.chosen.length > 0);
    if (this.historyBars > 0) {
      const o = this.historyNext * N;
      for (let i = 0; i < N; i++) this.history[o + i] = reward[offset + i]!;
      this.historyNext = (this.historyNext + 1) % this.historyBars;
      this.historyFill = Math.min(this.historyBars, this.historyFill + 1);
    }
    return closes ? this.closeWindow(ts, proposals, proposalOffset) : undefined;
  }

  private closeWindow(ts: number, proposals: Float32Array | undefined, proposalOffset: number): WindowFrame {
    const N = this.nAgents;
    const s = this.settings;
    const { stats, model } = this;
    stats.windowSharpe(this.target);
    const realized = Float64Array.from(this.target);
    // the pairs of this window: statistics known at the previous window's end -> the Sharpe just realised
    model.decay(s.forgetting);
    if (this.prevValid) {
      this.pairWindows++;
      // the benchmark's excess is 0 by construction: it teaches the model nothing
      for (let i = 0; i < N; i++) if (stats.count[i]! > 1 && i !== this.benchmark) model.add(this.prevFeatures, i * N_FEATURES, this.target[i]!);
    }
    stats.close();
    this.windows++;
    stats.features(this.features);
    this.prevFeatures.set(this.features);
    this.prevValid = true;
    // the model predicts once it has the minimum pairs from at least 2 x minWindows windows: pairs within a window
    // share the market's moves, so a few windows of them say little, and early fits adopt noise
    const ready = model.pairs >= s.minPairs && this.pairWindows >= 2 * s.minWindows && model.fit();
    const predicted = new Float64Array(N).fill(NaN);
    // the book the record held through the window that just closed, at this bar's proposals
    const switching = this.bookBefore.length > 0;
    if (switching && proposals === undefined) throw new Error('the contest charges its track record for switching: observe needs the proposals of a bar that closes a window');
    const hadChoice = this.chosen.length > 0;
    if (switching) this.bookOf(hadChoice, proposals!, proposalOffset, this.bookBefore);
    for (let i = 0; i < N; i++) {
      const n = stats.windows[i]!;
      this.eligible[i] = 0;
      this.predicted[i] = NaN;
      if (!ready) continue;
      const raw = model.predict(this.features, i * N_FEATURES);
      const shrunk = (n * raw + s.shrinkage * s.prior) / (n + s.shrinkage);
      this.predicted[i] = shrunk;
      predicted[i] = shrunk;
      this.eligible[i] = n >= s.minWindows && shrunk > this.hurdle && i !== this.benchmark ? 1 : 0;
    }
    this.chosen = allocate(
      {
        predicted: this.predicted,
        eligible: this.eligible,
        topK: s.topK,
        allocation: s.allocation,
        covShrink: s.covShrink,
        ...(this.historyBars > 0 ? { history: { rewards: this.orderedHistory(), bars: this.historyFill } } : {}),
      },
      this.choice,
    );
    // the choice is traded only while the model's record of past choices clears the bar (contest.trackRecord)
    this.record?.close();
    if (switching) this.chargeSwitch(hadChoice, proposals!, proposalOffset);
    const recordT = this.record === undefined ? NaN : this.record.tStat();
    const trusted = this.record === undefined || recordT >= s.trackRecord.minT;
    if (trusted) {
      this.adopted = this.chosen;
      this.weights.set(this.choice);
      if (s.adoption === 'blend') this.blend(recordT);
    } else {
      this.adopted = [];
      this.weights.fill(0);
    }
    this.holdBenchmark();
    return { ts, index: this.windows, ready, pairs: model.pairs, realized, predicted, adopted: [...this.adopted], weights: Float64Array.from(this.weights), cash: this.adopted.length === 0, onBenchmark: this.onBenchmark, recordT, withheld: !trusted && this.chosen.length > 0 };
  }

  /**
   * A trusted choice held in part (contest.adoption 'blend'): lambda = max(0, 1 - 1/t^2) of its weights, the rest on the
   * fallback (the benchmark agent, or cash). That is the positive-part shrinkage towards 0 of a mean estimated with
   * t-statistic t (James-Stein's for one mean): the share of the book that leaves the benchmark grows with the
   * evidence that leaving it paid, instead of jumping from none to all at the record's bar. Without a record (t NaN)
   * the choice is held whole. Agents left with no weight are dropped from the adopted list.
   */
  private blend(t: number): void {
    if (!Number.isFinite(t)) return;
    const lambda = Math.max(0, 1 - 1 / (t * t));
    for (const i of this.adopted) this.weights[i] = this.weights[i]! * lambda;
    const kept = this.adopted.filter((i) => this.weights[i]! > 0);
    if (this.benchmark >= 0 && lambda < 1) {
      this.weights[this.benchmark] = this.weights[this.benchmark]! + (1 - lambda);
      if (!kept.includes(this.benchmark)) kept.push(this.benchmark);
    }
    this.adopted = kept;
  }

  /** The record's book at a bar: the choice's weighted proposals, or the fallback's (the benchmark agent's, or cash). */
  private bookOf(choice: boolean, proposals: Float32Array, offset: number, out: Float64Array): void {
    const A = out.length;
    out.fill(0);
    if (choice) {
      for (let i = 0; i < this.nAgents; i++) {
        const w = this.choice[i]!;
        if (w === 0) continue;
        for (let a = 0; a < A; a++) out[a] = out[a]! + w * proposals[offset + i * A + a]!;
      }
    } else if (this.benchmark >= 0) for (let a = 0; a < A; a++) out[a] = proposals[offset + this.benchmark * A + a]!;
  }

  /**
   * The move from the window's book (bookBefore) to the new choice's costs slot x cost x its turnover: into the coming
   * window when the new book is a choice, into the window just closed when the record goes back to the fallback (the
   * exit belongs to the choice it ends); a move between two fallback windows costs the record nothing.
   */
  private chargeSwitch(hadChoice: boolean, proposals: Float32Array, offset: number): void {
    const record = this.record!;
    const { slot, cost } = this.switching!;
    const choice = this.chosen.length > 0;
    if (!choice && !hadChoice) return;
    this.bookOf(choice, proposals, offset, this.bookAfter);
    let traded = 0;
    for (let a = 0; a < this.bookAfter.length; a++) {
      const d = this.bookAfter[a]! - this.bookBefore[a]!;
      traded += d < 0 ? -d : d;
    }
    const charge = slot * cost * traded;
    if (choice) record.chargeNext(charge);
    else record.chargeLast(charge);
  }

  /** The reward history oldest first (covariance allocation). */
  private orderedHistory(): Float64Array {
    const N = this.nAgents;
    const L = this.historyFill;
    const out = new Float64Array(L * N);
    const start = L < this.historyBars ? 0 : this.historyNext;
    for (let k = 0; k < L; k++) out.set(this.history.subarray(((start + k) % this.historyBars) * N, ((start + k) % this.historyBars + 1) * N), k * N);
    return out;
  }

  /** The contest's target for one bar: out[outOffset + a] = sum over adopted agents of weight x proposal. */
  combine(proposals: Float32Array, rowOffset: number, nAssets: number, out: Float64Array, outOffset: number): void {
    for (let a = 0; a < nAssets; a++) out[outOffset + a] = 0;
    for (const i of this.adopted) {
      const w = this.weights[i]!;
      const o = rowOffset + i * nAssets;
      for (let a = 0; a < nAssets; a++) out[outOffset + a] = out[outOffset + a]! + w * proposals[o + a]!;
    }
  }
}
