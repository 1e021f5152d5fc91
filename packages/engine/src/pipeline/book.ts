/**
 * A book: the paper broker of one strategy with its per-bar record. Each bar: fill the previous orders at the
 * open, mark at the close (record equity, exposures, turnover, fees, slippage), then, given the bar's target
 * exposures, place the orders for the next open. The pipeline's main book and simulate's baselines run this same
 * code, so a strategy stepped bar by bar and one replayed over precomputed targets agree exactly.
 */
import type { ArenaConfig, BarPanel } from '@arena/core';
import { PaperBroker } from '../broker.ts';
import { EXIT_REASONS, type ExitPlan, type ExitReason, NO_EXITS, REASON, exitPlan } from '../exits.ts';
import { type OrderScratch, orderScratch, placeOrders } from '../orders.ts';
import type { StrategyRun, TradeRecord } from '../result.ts';

/** The per-bar record: one column each, grown by doubling (a backtest sizes it once with its bar count). */
class BarRecord {
  length = 0;
  equity: Float64Array;
  gross: Float64Array;
  net: Float64Array;
  turnover: Float64Array;
  fees: Float64Array;
  slippage: Float64Array;
  funding: Float64Array;
  margin: Float64Array;

  constructor(capacity: number) {
    this.equity = new Float64Array(capacity);
    this.gross = new Float64Array(capacity);
    this.net = new Float64Array(capacity);
    this.turnover = new Float64Array(capacity);
    this.fees = new Float64Array(capacity);
    this.slippage = new Float64Array(capacity);
    this.funding = new Float64Array(capacity);
    this.margin = new Float64Array(capacity);
  }

  /** The row of the next bar (growing the columns when full). */
  next(): number {
    if (this.length === this.equity.length) {
      const grow = (x: Float64Array) => {
        const y = new Float64Array(Math.max(16, 2 * x.length));
        y.set(x);
        return y;
      };
      this.equity = grow(this.equity);
      this.gross = grow(this.gross);
      this.net = grow(this.net);
      this.turnover = grow(this.turnover);
      this.fees = grow(this.fees);
      this.slippage = grow(this.slippage);
      this.funding = grow(this.funding);
      this.margin = grow(this.margin);
    }
    return this.length++;
  }
}

export class Book {
  readonly broker: PaperBroker;
  private readonly scratch: OrderScratch;
  private readonly bars: BarRecord;
  /** equity at the latest close */
  equity: number;
  /** the protective exits' rule sets (exits.ts) */
  readonly exitPlan: ExitPlan;

  constructor(
    readonly nAssets: number,
    readonly config: ArenaConfig,
    /** buy and hold: trade each asset only until its first target is reached, never rebalance */
    readonly holdOnceEntered = false,
    /** bars expected (a backtest knows them): the record is allocated once */
    capacity = 1024,
  ) {
    // buy and hold is the market's reference: it holds through every move (on perpetuals it still pays funding and can be liquidated)
    this.exitPlan = holdOnceEntered ? NO_EXITS : exitPlan(config);
    this.broker = new PaperBroker(nAssets, config.broker, { exits: this.exitPlan, market: config.market });
    this.scratch = orderScratch(nAssets);
    this.equity = config.broker.initialCash;
    this.bars = new BarRecord(capacity);
  }

  /** Bars recorded so far. */
  get length(): number {
    return this.bars.length;
  }

  /**
   * Bar t: funding due at its open is settled on the positions carried in (fundingDue[dueOffset + a], perpetuals),
   * the previous bar's orders fill at its open, protective exits and liquidations trigger inside it, positions are
   * marked at its close; returns the equity.
   */
  open(panel: BarPanel, t: number, fundingDue?: Float64Array, dueOffset = 0): number {
    const broker = this.broker;
    broker.settleFunding(panel, t, fundingDue, dueOffset);
    broker.executeOpen(panel, t);
    broker.checkExits(panel, t);
    const eq = broker.markClose(panel, t);
    const b = this.bars;
    const row = b.next();
    b.equity[row] = eq;
    b.fees[row] = broker.barFees;
    b.slippage[row] = broker.barSlippage;
    b.turnover[row] = eq > 0 ? broker.barTraded / eq : 0;
    b.gross[row] = eq > 0 ? broker.grossValue / eq : 0;
    b.net[row] = eq > 0 ? broker.netValue / eq : 0;
    b.funding[row] = broker.barFunding;
    b.margin[row] = eq > 0 ? broker.marginUsed / eq : 0;
    this.equity = eq;
    return eq;
  }

  /**
   * Orders toward targets[base .. base + nAssets) for the next open (nothing without equity), then the time stops
   * due; rules[a]: the exit rule set a position the order opens gets (absent: the global one).
   */
  rebalance(panel: BarPanel, t: number, targets: Float64Array, base: number, rules?: Uint8Array): void {
    if (this.equity > 0) placeOrders(this.broker, panel, t, targets, base, this.equity, this.config.portfolio, this.scratch, this.holdOnceEntered, rules, this.exitPlan.cooldown);
    this.broker.timeStops(t);
  }

  /** Orders closing every position at the next open (a kill switch, an operator's flatten). */
  flatten(): void {
    const { broker } = this;
    for (let a = 0; a < this.nAssets; a++) if (broker.units[a] !== 0) broker.submit(a, -broker.units[a]!, REASON.kill);
  }

  /** The run so far as a StrategyRun (closing the books' open episodes at the last bar). */
  run(name: string, panel: BarPanel): StrategyRun {
    const broker = this.broker;
    const b = this.bars;
    const T = b.length;
    broker.finish(T - 1);
    return {
      name,
      equity: b.equity.slice(0, T),
      grossExposure: b.gross.slice(0, T),
      netExposure: b.net.slice(0, T),
      turnover: b.turnover.slice(0, T),
      fees: b.fees.slice(0, T),
      slippage: b.slippage.slice(0, T),
      funding: b.funding.slice(0, T),
      margin: b.margin.slice(0, T),
      exitsByReason: Object.fromEntries(EXIT_REASONS.map((r, k) => [r, broker.exitsByReason[k]!])) as Record<ExitReason, number>,
      trades: tradesOf(broker, panel),
      fills: {
        t: broker.fills.column('t'),
        asset: broker.fills.column('asset'),
        qty: broker.fills.column('qty'),
        requestedQty: broker.fills.column('requestedQty'),
        price: broker.fills.column('price'),
        fee: broker.fills.column('fee'),
        slippageBps: broker.fills.column('slippageBps'),
        reason: broker.fills.column('reason'),
      },
      nFills: broker.fills.length,
      nPartialFills: broker.nPartialFills,
      nCancelled: broker.nCancelled,
      assetPnl: broker.assetPnl(),
    };
  }
}

/**
 * Gross signal attribution: what each expert's weighted exposure at bar t - 1 earned from close t - 1 to close t,
 * in quote currency at the slot size, added into `into` ([e]). weights: [a * E + e] of bar t - 1.
 */
export function attributeBar(panel: BarPanel, t: number, exposures: Float64Array, weights: Float32Array | Float64Array, perAsset: boolean, slot: number, prevEquity: number, into: Float64Array): void {
  if (t === 0) return;
  const A = panel.nAssets;
  const E = into.length;
  const { close, present } = panel;
  const base = t * A;
  const prevBase = base - A;
  for (let a = 0; a < A; a++) {
    if (present[base + a] !== 1 || present[prevBase + a] !== 1) continue;
    const p0 = close[prevBase + a]!;
    if (!(p0 > 0)) continue;
    const r = close[base + a]! / p0 - 1;
    for (let e = 0; e < E; e++) {
      const w = perAsset ? weights[a * E + e]! : weights[e]!;
      into[e] = into[e]! + w * exposures[e * A + a]! * slot * r * prevEquity;
    }
  }
}

function tradesOf(broker: PaperBroker, panel: BarPanel): TradeRecord[] {
  const log = broker.trades;
  const col = (k: Parameters<typeof log.column>[0]) => log.column(k);
  const [asset, entryT, exitT, side, pnl, open, reason] = [col('asset'), col('entryT'), col('exitT'), col('side'), col('pnl'), col('open'), col('reason')];
  const out: TradeRecord[] = new Array(log.length);
  for (let i = 0; i < log.length; i++) {
    const a = asset[i]!;
    out[i] = {
      asset: a,
      symbol: panel.symbols[a]!,
      side: side[i]! > 0 ? 1 : -1,
      entryTs: panel.ts[entryT[i]!]!,
      exitTs: panel.ts[exitT[i]!]!,
      bars: exitT[i]! - entryT[i]!,
      pnl: pnl[i]!,
      open: open[i] === 1,
      reason: EXIT_REASONS[reason[i]!]!,
    };
  }
  return out;
}
