/**
 * The one engine: a Pipeline steps one bar through every stage, the same for a backtest, an eval and the paper
 * daemon. A mode differs only in what it injects (see build.ts): the bar history (a backtest's whole panel, or the
 * daemon's growing one), the model stages stepped bar by bar or read from batch precomputation held equal to
 * stepping, and what records the steps (memory, or the ledger).
 *
 *   bar -> history -> book: fills at the open, mark at the close -> features (z-scores, selections)
 *       -> experts -> weights (static, router) -> combination (or the contest's target) -> attribution
 *       -> operator controls -> risk kill switch -> orders for the next open -> step result
 */
import type { ArenaConfig, BarPanel } from '@arena/core';
import type { ExpertFaultRecord } from '@arena/experts';
import type { BarRow } from '../paper/growingPanel.ts';
import type { ContestStepper, DataTeamStage, WindowFrame } from '@arena/contest';
import type { OnlineFeatures } from '@arena/features';
import { RiskGuard } from '../paper/risk.ts';
import { Book, attributeBar } from './book.ts';
import { EXIT_REASONS, type ExitReason, dominantRules } from '../exits.ts';

export type { BarRow };
import type { ExpertsStage, WeightsStage } from './stages.ts';


/** Where the bars so far live: a backtest's whole panel (read up to t), or the daemon's growing panel. */
export interface BarHistory {
  readonly panel: BarPanel;
  /** bars appended so far */
  readonly length: number;
  /** Appends bar time ts (strictly after the last); returns its row. */
  append(ts: number, row: BarRow): number;
}

/** A backtest's history: the panel is known, a step only moves the cursor (its rows were validated beforehand). */
export class PanelHistory implements BarHistory {
  length = 0;
  constructor(readonly panel: BarPanel) {}
  append(ts: number): number {
    const t = this.length;
    if (this.panel.ts[t] !== ts) throw new Error(`bar ${new Date(ts).toISOString()} is not the panel's next bar (${t < this.panel.nTimes ? new Date(this.panel.ts[t]!).toISOString() : 'past its end'})`);
    this.length++;
    return t;
  }
}

/** An operator's control, applied between steps (before bar t's decisions), recorded and replayed with its bar. */
export type ControlKind = 'pause' | 'resume' | 'flatten';

export interface StepFill {
  readonly asset: number;
  readonly qty: number;
  readonly requestedQty: number;
  readonly price: number;
  readonly fee: number;
  readonly slippageBps: number;
  /** what the fill was for: a signal's order, a protective exit, the kill switch, a liquidation */
  readonly reason: ExitReason;
  /** the fill ended a position (to flat, or a flip) */
  readonly closed: boolean;
}

/** Funding settled at a bar's open on one position: amount = -units x price x rate (negative: paid). */
export interface StepFunding {
  readonly asset: number;
  readonly rate: number;
  readonly price: number;
  readonly units: number;
  readonly amount: number;
}

export interface StepResult {
  readonly t: number;
  readonly ts: number;
  readonly equity: number;
  readonly gross: number;
  readonly net: number;
  readonly drawdown: number;
  /** fills at this bar: the previous bar's orders at its open, then protective exits and liquidations inside it */
  readonly fills: readonly StepFill[];
  /** funding settled at this bar's open (perpetuals) */
  readonly funding: readonly StepFunding[];
  /** initial margin of the open positions / equity at the close (perpetuals; 0 on spot) */
  readonly margin: number;
  /** orders submitted at this bar's close, for the next open: [asset, qty] */
  readonly orders: readonly (readonly [number, number])[];
  /** the experts' exposures weighted by the weights, per asset */
  readonly combined: Float64Array;
  /** the target exposure per asset the orders aim at before the projection: the combination, or the contest's target */
  readonly target: Float64Array;
  /** expert exposures [e * assets + a] and weights [a * experts + e] at this bar */
  readonly experts: Float64Array;
  readonly weights: Float32Array;
  /** the router's regime probabilities [a * regimes + r] (absent without a model router) */
  readonly regime?: Float32Array;
  /** a kill switch fired at this bar: why */
  readonly halted?: string;
  /** user experts disabled at this bar (they threw or returned garbage): why */
  readonly expertFaults?: readonly ExpertFaultRecord[];
  /** the learned expert's selection, when a new one took over at this bar */
  readonly selection?: { readonly ts: number; readonly reason: string; readonly detail: string; readonly features: readonly string[]; readonly weights: readonly number[] };
  /** controls applied before this bar's decisions */
  readonly controls?: readonly ControlKind[];
  /** the contest's window that closed at this bar */
  readonly window?: WindowFrame;
  readonly paused: boolean;
}

export interface PipelineParts {
  readonly config: ArenaConfig;
  readonly history: BarHistory;
  readonly periodsPerYear: number;
  /** the shared features stage (absent when no stage reads features) */
  readonly features?: OnlineFeatures;
  /** which selector's selection the step reports (the learned expert's) */
  readonly reportSelection?: string;
  readonly experts: ExpertsStage;
  readonly weights: WeightsStage;
  /** the contest: its target replaces the weighted combination */
  readonly contest?: ContestStepper;
  /** the contest's data team: after each bar it picks the selection the next bar's learned expert and router read */
  readonly dataTeam?: DataTeamStage;
}

const NO_FUNDING: readonly StepFunding[] = Object.freeze([]);

export class Pipeline {
  readonly book: Book;
  readonly risk: RiskGuard;
  /** each expert's gross signal PnL so far, quote currency ([e]) */
  readonly attribution: Float64Array;
  private readonly combined: Float64Array;
  private readonly target: Float64Array;
  /** per asset: the exit rule set of a position opened now (dominantRules; all 0 without per-expert rules) */
  private readonly rules: Uint8Array;
  private prevExposure: Float64Array | undefined;
  private readonly expoViews: Float64Array[];
  private readonly pending: ControlKind[] = [];
  private readonly slot: number;
  /** perpetuals: the contest's rewards are net of the funding the book pays (a spot book pays none, even with funding files) */
  private readonly perp: boolean;
  private reported: unknown;
  /** experts: the built-in ones, then the user's */
  readonly nExperts: number;

  constructor(readonly parts: PipelineParts) {
    const A = parts.history.panel.nAssets;
    this.book = new Book(A, parts.config, false, parts.history.panel.nTimes);
    this.risk = new RiskGuard(parts.config.risk, parts.config.broker.initialCash);
    const E = parts.experts.exposure.length / A;
    this.nExperts = E;
    this.attribution = new Float64Array(E);
    this.combined = new Float64Array(A);
    this.target = new Float64Array(A);
    this.rules = new Uint8Array(A);
    this.expoViews = Array.from({ length: E }, (_, e) => parts.experts.exposure.subarray(e * A, (e + 1) * A));
    this.slot = parts.config.portfolio.maxGross / A;
    this.perp = parts.config.market.kind === 'perp';
  }

  get nAssets(): number {
    return this.parts.history.panel.nAssets;
  }

  get history(): BarHistory {
    return this.parts.history;
  }

  get contest(): ContestStepper | undefined {
    return this.parts.contest;
  }

  /** Queues an operator's control for the next step (the daemon records it with that step). */
  control(kind: ControlKind): void {
    this.pending.push(kind);
  }

  /** One bar time through every stage. */
  async step(ts: number, row: BarRow): Promise<StepResult> {
    const { parts, book } = this;
    const A = this.nAssets;
    const t = parts.history.append(ts, row);
    const panel = parts.history.panel;
    const before = book.broker.fills.length;
    const fundingBefore = book.broker.funding.length;
    const prevEquity = book.equity;
    const eq = book.open(panel, t, row.fundingDue);
    const fills = this.fillsSince(before);
    const funding = this.fundingSince(fundingBefore);
    // features (and a selection due now), the experts, the weights
    if (parts.features !== undefined) await parts.features.push({ ...row, ts });
    const experts = parts.experts.step(panel, t);
    if (experts !== undefined) await experts;
    const exposure = parts.experts.exposure;
    await parts.weights.step(panel, t, this.prevExposure, exposure);
    const weights = parts.weights.weights;
    const E = this.nExperts;
    // the combination: float32 weights times float64 exposures, NaN exposures left out
    for (let a = 0; a < A; a++) {
      let c = 0;
      for (let e = 0; e < E; e++) {
        const x = exposure[e * A + a]!;
        if (x === x) c += weights[a * E + e]! * x;
      }
      this.combined[a] = c;
    }
    let window: WindowFrame | undefined;
    if (parts.contest !== undefined) {
      window = parts.contest.step({ exposures: this.expoViews, weights, present: row.present }, 0, ts, row.close, 0, this.perp ? row.fundingDue : undefined);
      this.target.set(parts.contest.target);
    } else this.target.set(this.combined);
    parts.dataTeam?.step(ts, row.close, row.present);
    if (this.prevExposure !== undefined) attributeBar(panel, t, this.prevExposure, this.prevWeights!, true, this.slot, prevEquity, this.attribution);
    this.keepPrevious(exposure, weights);
    // operator controls, then the kill switch, then the orders
    const controls = this.pending.splice(0);
    for (const c of controls) {
      if (c === 'pause') this.risk.pauseManually('paused by an operator');
      else if (c === 'resume') this.risk.resume();
      else {
        book.flatten();
        this.risk.pauseManually('flattened by an operator');
      }
    }
    const halted = this.risk.check(ts, eq);
    if (halted !== undefined) book.flatten();
    else if (!this.risk.paused && !controls.includes('flatten')) {
      if (book.exitPlan.perExpert) dominantRules(book.exitPlan, this.target, exposure, weights, this.rules);
      book.rebalance(panel, t, this.target, 0, this.rules);
    }
    const orders: [number, number][] = [];
    for (let a = 0; a < A; a++) if (book.broker.pending[a] !== 0) orders.push([a, book.broker.pending[a]!]);
    const selection = this.newSelection();
    return {
      t,
      ts,
      equity: eq,
      gross: eq > 0 ? book.broker.grossValue / eq : 0,
      net: eq > 0 ? book.broker.netValue / eq : 0,
      drawdown: this.risk.drawdown,
      fills,
      funding,
      margin: eq > 0 ? book.broker.marginUsed / eq : 0,
      orders,
      combined: this.combined,
      target: this.target,
      experts: exposure,
      weights,
      ...(parts.weights.regime ? { regime: parts.weights.regime } : {}),
      ...(halted !== undefined ? { halted } : {}),
      ...(parts.experts.faults !== undefined ? { expertFaults: parts.experts.faults } : {}),
      ...(selection ? { selection } : {}),
      ...(controls.length > 0 ? { controls } : {}),
      ...(window ? { window } : {}),
      paused: this.risk.paused,
    };
  }

  private prevWeights: Float32Array | undefined;

  private keepPrevious(exposure: Float64Array, weights: Float32Array): void {
    this.prevExposure ??= new Float64Array(exposure.length);
    this.prevWeights ??= new Float32Array(weights.length);
    this.prevExposure.set(exposure);
    this.prevWeights.set(weights);
  }

  private fillsSince(before: number): StepFill[] {
    const f = this.book.broker.fills;
    const out: StepFill[] = [];
    for (let i = before; i < f.length; i++) {
      out.push({ asset: f.get('asset', i), qty: f.get('qty', i), requestedQty: f.get('requestedQty', i), price: f.get('price', i), fee: f.get('fee', i), slippageBps: f.get('slippageBps', i), reason: EXIT_REASONS[f.get('reason', i)]!, closed: f.get('closed', i) === 1 });
    }
    return out;
  }

  private fundingSince(before: number): readonly StepFunding[] {
    const f = this.book.broker.funding;
    if (f.length === before) return NO_FUNDING;
    const out: StepFunding[] = [];
    for (let i = before; i < f.length; i++) out.push({ asset: f.get('asset', i), rate: f.get('rate', i), price: f.get('price', i), units: f.get('units', i), amount: f.get('amount', i) });
    return out;
  }

  private newSelection(): StepResult['selection'] {
    const name = this.parts.reportSelection;
    if (name === undefined || this.parts.features === undefined) return undefined;
    const s = this.parts.features.selection(name);
    if (s === undefined || s === this.reported) return undefined;
    this.reported = s;
    return { ts: s.ts, reason: s.reason, detail: s.detail, features: s.features, weights: s.weights };
  }
}
