/**
 * The paper daemon's per-bar pipeline: the same stages as a backtest, stepped one bar at a time.
 * - The rule experts stream (the same `advance` a backtest runs over the panel, one row at a time).
 * - The model stages (learned expert, router) are recomputed over the last `paper.history` bars every
 *   `paper.refreshEvery` bars and held in between. Recomputing them per bar would cost the whole history each bar.
 * - Then the combination (router weights, or the static config weights; with contest.enabled the contest's
 *   target, from ContestStepper, the same as a backtest's batch contest), the same order logic as the backtest
 *   (placeOrders), the paper broker (fills at the next open), and the risk kill switch.
 * Every decision depends only on the bars so far, so replaying the same bars gives the same books: that is
 * how a restart rebuilds its state from the ledger's bars.
 */
import { type ArenaConfig, EXPERT_NAMES, REGIMES, type Timeframe, timeframeMs } from '@arena/core';
import { type Expert, type ExpertContext, createExperts, runExpertBatch } from '@arena/experts';
import { type ContestSink, ContestStepper, researchTeam } from '@arena/contest';
import type { Router } from '@arena/router';
import { contestSettings } from '../contest/stage.ts';
import { PaperBroker } from '../broker.ts';
import { expertWeights } from '../backtest.ts';
import { type OrderScratch, orderScratch, placeOrders } from '../orders.ts';
import { type BarRow, GrowingPanel } from './growingPanel.ts';
import { RiskGuard } from './risk.ts';

const E = EXPERT_NAMES.length;

export interface StepFill {
  readonly asset: number;
  readonly qty: number;
  readonly requestedQty: number;
  readonly price: number;
  readonly fee: number;
  readonly slippageBps: number;
}

export interface StepResult {
  readonly t: number;
  readonly ts: number;
  readonly equity: number;
  readonly gross: number;
  readonly net: number;
  readonly drawdown: number;
  /** fills at this bar's open (orders of the previous bar) */
  readonly fills: readonly StepFill[];
  /** orders submitted at this bar's close, for the next open: [asset, qty] */
  readonly orders: readonly (readonly [number, number])[];
  /** the combined exposure per asset before the projection */
  readonly exposure: Float64Array;
  /** expert exposures [e * assets + a] and router weights [a * experts + e] at this bar */
  readonly experts: Float64Array;
  readonly weights: Float32Array;
  /** the router's regime probabilities [a * regimes + r] at its last refresh (absent without a model router) */
  readonly regime?: Float32Array;
  /** a kill switch fired at this bar: why */
  readonly halted?: string;
  /** the learned expert's feature selection, when a refresh at this bar found a new one */
  readonly selection?: { readonly ts: number; readonly reason: string; readonly detail: string; readonly features: readonly string[]; readonly weights: readonly number[] };
  readonly paused: boolean;
}

export interface PipelineModels {
  /** where the contest's record goes (config.contest.enabled) */
  readonly contestSink?: ContestSink;
  /** the learned expert (recomputed at the refresh cadence); absent: it holds 0 */
  readonly learned?: Expert;
  /** the router (recomputed at the refresh cadence); absent: the static config weights */
  readonly router?: Router;
}

export class PaperPipeline {
  readonly grid: GrowingPanel;
  readonly broker: PaperBroker;
  readonly risk: RiskGuard;
  private readonly rules: Expert[];
  private readonly ruleIndex: number[];
  private readonly learnedIndex: number;
  private readonly ctx: ExpertContext;
  /** streaming outputs of the rule experts for the current row (advance writes at row 0 of these) */
  private readonly out: { exposure: Float64Array; confidence: Float64Array }[];
  private readonly expo: Float64Array;
  private readonly weights: Float32Array;
  private readonly staticWeights: Float64Array;
  private readonly combined: Float64Array;
  private readonly scratch: OrderScratch;
  private heldLearned: Float64Array;
  private heldWeights: Float64Array | undefined;
  private heldRegime: Float32Array | undefined;
  /** the selection in effect after the last refresh, and whether this step found it */
  private selection: StepResult['selection'];
  private newSelection = false;
  private readonly barMs: number;
  /** the contest, when config.contest.enabled: its target replaces the router's combination */
  readonly contest: ContestStepper | undefined;
  private readonly expoViews: Float64Array[];

  constructor(
    readonly symbols: readonly string[],
    readonly timeframe: Timeframe,
    readonly config: ArenaConfig,
    readonly models: PipelineModels = {},
    periodsPerYear?: number,
  ) {
    const A = symbols.length;
    this.grid = new GrowingPanel(symbols, timeframe);
    this.barMs = timeframeMs(timeframe);
    this.broker = new PaperBroker(A, config.broker);
    this.risk = new RiskGuard(config.risk, config.broker.initialCash);
    this.ctx = { nAssets: A, periodsPerYear: periodsPerYear ?? (365.25 * 86_400_000) / this.barMs };
    // the rule experts stream; the learned one (last in EXPERT_NAMES) is refreshed at the cadence
    const all = createExperts(config.experts);
    this.learnedIndex = EXPERT_NAMES.indexOf('learned');
    this.ruleIndex = all.map((_, e) => e).filter((e) => e !== this.learnedIndex);
    this.rules = this.ruleIndex.map((e) => all[e]!);
    for (const x of this.rules) x.reset(this.ctx);
    this.out = this.rules.map(() => ({ exposure: new Float64Array(A), confidence: new Float64Array(A) }));
    this.expo = new Float64Array(E * A);
    // float32 like a RoutingSeries, so the combination and the contest see the same numbers as in a backtest
    this.weights = new Float32Array(A * E);
    this.staticWeights = expertWeights(config);
    this.combined = new Float64Array(A);
    this.scratch = orderScratch(A);
    this.heldLearned = new Float64Array(A);
    this.expoViews = EXPERT_NAMES.map((_, e) => this.expo.subarray(e * A, (e + 1) * A));
    this.contest = config.contest.enabled
      ? new ContestStepper({
          agents: researchTeam(config.contest.agents, { seed: config.contest.seed, horizons: config.contest.horizons }),
          settings: contestSettings(config),
          horizons: config.contest.horizons,
          nAssets: A,
          symbols,
          barMs: this.barMs,
          periodsPerYear: this.ctx.periodsPerYear,
          cost: (config.broker.feeBps + config.broker.halfSpreadBps) / 1e4,
          slot: config.portfolio.maxGross / A,
          ...(models.contestSink ? { sink: models.contestSink } : {}),
        })
      : undefined;
  }

  get nAssets(): number {
    return this.symbols.length;
  }

  /** One bar time: append, fill the previous orders at its open, mark at its close, decide, submit. */
  async step(ts: number, row: BarRow): Promise<StepResult> {
    const A = this.nAssets;
    const t = this.grid.append(ts, row);
    const panel = this.grid.panel;
    const broker = this.broker;
    const before = broker.fills.length;
    broker.executeOpen(panel, t);
    const eq = broker.markClose(panel, t);
    const fills: StepFill[] = [];
    const f = broker.fills;
    for (let i = before; i < f.length; i++) {
      fills.push({ asset: f.get('asset', i), qty: f.get('qty', i), requestedQty: f.get('requestedQty', i), price: f.get('price', i), fee: f.get('fee', i), slippageBps: f.get('slippageBps', i) });
    }
    // the experts at row t: rule experts stream; the model stages refresh on the cadence (bar index from the epoch)
    for (let k = 0; k < this.rules.length; k++) {
      const o = this.out[k]!;
      for (let a = 0; a < A; a++) this.rules[k]!.advance(panel, a, t, t + 1, o.exposure, o.confidence, 0);
      const e = this.ruleIndex[k]!;
      for (let a = 0; a < A; a++) this.expo[e * A + a] = o.exposure[a]!;
    }
    this.newSelection = false;
    if (Math.round(ts / this.barMs) % this.config.paper.refreshEvery === 0) await this.refresh(t);
    for (let a = 0; a < A; a++) this.expo[this.learnedIndex * A + a] = this.heldLearned[a]!;
    for (let a = 0; a < A; a++) {
      let c = 0;
      for (let e = 0; e < E; e++) {
        this.weights[a * E + e] = this.heldWeights ? this.heldWeights[a * E + e]! : this.staticWeights[e]!;
        const x = this.expo[e * A + a]!;
        if (x === x) c += this.weights[a * E + e]! * x;
      }
      this.combined[a] = c;
    }
    if (this.contest !== undefined) {
      this.contest.step({ exposures: this.expoViews, weights: this.weights, present: row.present }, 0, ts, row.close, 0);
      this.combined.set(this.contest.target);
    }
    const halted = this.risk.check(ts, eq);
    const orders: [number, number][] = [];
    if (halted !== undefined) {
      // flatten: close every position at the next open
      for (let a = 0; a < A; a++) if (broker.units[a] !== 0) broker.submit(a, -broker.units[a]!);
    } else if (!this.risk.paused && eq > 0) {
      placeOrders(broker, panel, t, this.combined, 0, eq, this.config.portfolio, this.scratch);
    }
    for (let a = 0; a < A; a++) if (broker.pending[a] !== 0) orders.push([a, broker.pending[a]!]);
    return {
      t,
      ts,
      equity: eq,
      gross: eq > 0 ? broker.grossValue / eq : 0,
      net: eq > 0 ? broker.netValue / eq : 0,
      drawdown: this.risk.drawdown,
      fills,
      orders,
      exposure: this.combined,
      experts: this.expo,
      weights: this.weights,
      ...(this.heldRegime ? { regime: this.heldRegime } : {}),
      ...(halted !== undefined ? { halted } : {}),
      ...(this.newSelection && this.selection ? { selection: this.selection } : {}),
      paused: this.risk.paused,
    };
  }

  /** Closes every position at the next open (an operator's flatten) and pauses until resumed. */
  flatten(): void {
    for (let a = 0; a < this.nAssets; a++) if (this.broker.units[a] !== 0) this.broker.submit(a, -this.broker.units[a]!);
    this.risk.pauseManually('flattened from the dashboard');
  }

  /** Recomputes the model stages over the last `paper.history` bars and holds their row-t outputs. */
  private async refresh(t: number): Promise<void> {
    const { learned, router } = this.models;
    if (learned === undefined && router === undefined) return;
    const A = this.nAssets;
    const t0 = Math.max(0, t + 1 - this.config.paper.history);
    const tail = this.grid.tail(t0);
    const n = tail.nTimes;
    const last = (n - 1) * A;
    const experts = createExperts(this.config.experts, learned).map((x) => runExpertBatch(x, tail, this.ctx));
    if (learned !== undefined) this.heldLearned = Float64Array.from(experts[this.learnedIndex]!.exposure.subarray(last, last + A));
    const history = (learned as { lastSelections?: readonly { ts: number; reason: string; detail: string; features: readonly string[]; weights: readonly number[] }[] } | undefined)?.lastSelections;
    const latest = history?.[history.length - 1];
    if (latest !== undefined && (this.selection === undefined || latest.features.join(',') !== this.selection.features.join(','))) {
      this.selection = { ts: latest.ts, reason: latest.reason, detail: latest.detail, features: [...latest.features], weights: [...latest.weights] };
      this.newSelection = true;
    }
    if (router !== undefined) {
      const routing = await router.route(tail, experts.map((x) => x.exposure));
      this.heldWeights = Float64Array.from(routing.weights.subarray(last * E, (last + A) * E));
      const R = REGIMES.length;
      if (routing.source !== 'static' && routing.source !== 'equal') this.heldRegime = Float32Array.from(routing.regime.subarray(last * R, (last + A) * R));
    }
  }
}
