/**
 * Paper broker: market orders filled at the next bar's open with fees, spread + impact slippage and a volume cap;
 * protective exits inside a bar (exits.ts); on perpetuals funding at each funding time and liquidation.
 */
import type { ArenaConfig, BarPanel, MarketParams } from '@arena/core';
import { EXIT_REASONS, type ExitPlan, ExitState, NO_EXITS, REASON } from './exits.ts';
import { GrowableColumns } from './growable.ts';

export type BrokerConfig = ArenaConfig['broker'];

/** closed: 1 when the fill ended a position (to flat, or a flip) */
const FILL_COLUMNS = ['t', 'asset', 'qty', 'requestedQty', 'price', 'fee', 'slippageBps', 'reason', 'closed'] as const;
const TRADE_COLUMNS = ['asset', 'side', 'entryT', 'exitT', 'pnl', 'open', 'reason'] as const;
/** funding settled: amount is the cash flow (negative: paid) = -units x price x rate */
const FUNDING_COLUMNS = ['t', 'asset', 'rate', 'price', 'units', 'amount'] as const;

export interface BrokerOptions {
  /** protective exits (absent or disabled: none) */
  readonly exits?: ExitPlan;
  /** spot (default) or perp: margin, liquidation and funding */
  readonly market?: MarketParams;
}
/** span of the EWMA of squared returns that estimates each bar's volatility for the impact term */
const VOL_SPAN = 20;

/**
 * Cash and positions of one paper account. Orders submitted after bar t's close are executed by
 * executeOpen(t + 1): at open[t + 1] x (1 +/- slippage), at most maxParticipation x volume[t + 1] units
 * (the rest is cancelled, the next decision re-targets), never on a missing bar. Slippage in bps =
 * halfSpreadBps + impactCoef x sigma_bar x sqrt(participation) x 1e4, sigma_bar from past closes only.
 * All state is typed arrays sized at construction; fills and position episodes go to growable columns.
 */
export class PaperBroker {
  cash: number;
  readonly units: Float64Array;
  /** last close seen per asset (marks positions while a bar is missing) */
  readonly lastPrice: Float64Array;
  readonly pending: Float64Array;
  /** per-bar volatility estimate (EWMA of squared simple returns) */
  readonly barVariance: Float64Array;
  readonly fills = new GrowableColumns(FILL_COLUMNS);
  readonly trades = new GrowableColumns(TRADE_COLUMNS);
  /** cash flow of each asset (fills and fees), for per-asset PnL */
  readonly assetCash: Float64Array;
  // the open position episode per asset
  private readonly episodeCash: Float64Array;
  private readonly episodeStart: Float64Array;
  // what the last executeOpen did, for the per-bar series
  barFees = 0;
  barSlippage = 0;
  barTraded = 0;
  /** sum |position value| and sum position value at the last markClose */
  grossValue = 0;
  netValue = 0;
  nPartialFills = 0;
  nCancelled = 0;
  /** reason code (exits.ts REASON) of each pending order */
  readonly pendingReason: Uint8Array;
  /** entries, levels and the ATR of the protective exits and liquidation (absent: spot without exits) */
  readonly exits: ExitState | undefined;
  readonly funding = new GrowableColumns(FUNDING_COLUMNS, 64);
  /** funding cash flow of the last settleFunding, quote currency (negative: paid) */
  barFunding = 0;
  /** initial margin of the open positions at the last markClose: sum |units| x entry / leverage (perp), else 0 */
  marginUsed = 0;
  /** closed positions (or parts) by reason, EXIT_REASONS order */
  readonly exitsByReason = new Float64Array(EXIT_REASONS.length);
  private readonly perp: boolean;
  private readonly leverage: number;
  private readonly aVol = 2 / (VOL_SPAN + 1);

  constructor(
    readonly nAssets: number,
    readonly config: BrokerConfig,
    options: BrokerOptions = {},
  ) {
    const m = options.market;
    this.perp = m?.kind === 'perp';
    this.leverage = this.perp ? m!.leverage : 1;
    const withExits = options.exits !== undefined && options.exits.enabled;
    this.exits = withExits || this.perp ? new ExitState(nAssets, options.exits ?? NO_EXITS, this.perp ? { leverage: m!.leverage, maintenance: m!.maintenanceMargin } : undefined) : undefined;
    this.liquidationFee = this.perp ? m!.liquidationFee : 0;
    this.pendingReason = new Uint8Array(nAssets);
    this.fundingCarry = new Float64Array(nAssets);
    this.cash = config.initialCash;
    this.units = new Float64Array(nAssets);
    this.lastPrice = new Float64Array(nAssets).fill(NaN);
    this.pending = new Float64Array(nAssets);
    this.barVariance = new Float64Array(nAssets).fill(NaN);
    this.assetCash = new Float64Array(nAssets);
    this.episodeCash = new Float64Array(nAssets);
    this.episodeStart = new Float64Array(nAssets);
  }

  private readonly liquidationFee: number;
  /** funding due while an asset's bar was missing, settled at its next bar */
  private readonly fundingCarry: Float64Array;

  /** An order for the next open; `reason` says why (a signal, a time stop, the kill switch), `rule` the exit rule set a position it opens gets. */
  submit(asset: number, qty: number, reason: number = REASON.signal, rule = 0): void {
    this.pending[asset] = qty;
    this.pendingReason[asset] = reason;
    if (this.exits !== undefined) this.exits.pendingRule[asset] = rule;
  }

  /**
   * Funding at bar t's open, before its fills: each position carried in pays (or receives) units x open x rate for
   * every funding time since the previous bar; due[offset + a] is the sum of those rates (0 or NaN: none).
   */
  settleFunding(panel: BarPanel, t: number, due: Float64Array | undefined, offset: number): void {
    this.barFunding = 0;
    if (due === undefined || !this.perp) return;
    const A = this.nAssets;
    const base = t * A;
    const carry = this.fundingCarry;
    for (let a = 0; a < A; a++) {
      const d = due[offset + a]!;
      // a rate due while the asset's bar is missing settles at its next bar
      const rate = (d === d ? d : 0) + carry[a]!;
      if (panel.present[base + a] !== 1) {
        carry[a] = rate;
        continue;
      }
      carry[a] = 0;
      const u = this.units[a]!;
      if (u === 0 || rate === 0) continue;
      const price = panel.open[base + a]!;
      const amount = -u * price * rate;
      this.cash += amount;
      this.assetCash[a] = this.assetCash[a]! + amount;
      this.episodeCash[a] = this.episodeCash[a]! + amount;
      this.barFunding += amount;
      const row = this.funding.append();
      const fu = this.funding.cols;
      fu.t[row] = t;
      fu.asset[row] = a;
      fu.rate[row] = rate;
      fu.price[row] = price;
      fu.units[row] = u;
      fu.amount[row] = amount;
    }
  }

  /** Executes the pending orders at bar t's open. */
  executeOpen(panel: BarPanel, t: number): void {
    const A = this.nAssets;
    const base = t * A;
    const { feeBps, halfSpreadBps, impactCoef, maxParticipation } = this.config;
    this.barFees = 0;
    this.barSlippage = 0;
    this.barTraded = 0;
    for (let a = 0; a < A; a++) {
      const requested = this.pending[a]!;
      if (requested === 0) continue;
      this.pending[a] = 0;
      if (panel.present[base + a] !== 1) {
        this.nCancelled++;
        continue;
      }
      const open = panel.open[base + a]!;
      // a non-positive price would turn the slippage in the trader's favour: no fill
      if (!(open > 0)) {
        this.nCancelled++;
        continue;
      }
      const volume = panel.volume[base + a]!;
      const cap = maxParticipation * volume;
      const absReq = requested < 0 ? -requested : requested;
      const absQty = absReq < cap ? absReq : cap;
      if (!(absQty > 0)) {
        this.nCancelled++;
        continue;
      }
      if (absQty < absReq) this.nPartialFills++;
      const qty = requested < 0 ? -absQty : absQty;
      const participation = volume > 0 ? absQty / volume : 1;
      const variance = this.barVariance[a]!;
      const sigma = variance === variance ? Math.sqrt(variance) : 0;
      const slippageBps = halfSpreadBps + impactCoef * sigma * Math.sqrt(participation) * 1e4;
      const price = open * (1 + (qty > 0 ? 1 : -1) * slippageBps * 1e-4);
      const notional = absQty * (price < 0 ? -price : price);
      const fee = notional * feeBps * 1e-4;
      const reason = this.pendingReason[a]!;
      const before = this.units[a]!;
      this.applyFill(t, a, qty, price, fee, reason);
      const after = this.units[a]!;
      this.logFill(t, a, qty, requested, price, fee, slippageBps, reason, before !== 0 && (after === 0 || (before > 0) !== (after > 0)));
      this.barSlippage += absQty * Math.abs(price - open);
    }
  }

  private logFill(t: number, a: number, qty: number, requested: number, price: number, fee: number, slippageBps: number, reason: number, closed: boolean): void {
    const row = this.fills.append();
    const f = this.fills.cols;
    f.t[row] = t;
    f.asset[row] = a;
    f.qty[row] = qty;
    f.requestedQty[row] = requested;
    f.price[row] = price;
    f.fee[row] = fee;
    f.slippageBps[row] = slippageBps;
    f.reason[row] = reason;
    f.closed[row] = closed ? 1 : 0;
    this.barFees += fee;
    this.barTraded += (qty < 0 ? -qty : qty) * (price < 0 ? -price : price);
  }

  /**
   * Bar t's protective exits and liquidations, after its open's fills: each open position's levels against the
   * bar's open, high and low (ExitState.check); a triggered exit closes the whole position at its price with
   * slippage and the fee (a liquidation: at the liquidation price with the liquidation fee), never volume-capped.
   */
  checkExits(panel: BarPanel, t: number): void {
    const x = this.exits;
    if (x === undefined) return;
    const A = this.nAssets;
    const base = t * A;
    const { open, high, low, present, volume } = panel;
    for (let a = 0; a < A; a++) {
      const u = this.units[a]!;
      if (u === 0 || present[base + a] !== 1) continue;
      const side = u > 0 ? 1 : -1;
      const hi = high[base + a]!;
      const lo = low[base + a]!;
      if (!x.check(a, side, open[base + a]!, hi, lo)) {
        x.updateBest(a, side, hi, lo);
        continue;
      }
      const { reason, price: level } = x.hit;
      const qty = -u;
      let price = level;
      let fee: number;
      let slippageBps = 0;
      if (reason === REASON.liquidation) fee = (qty < 0 ? -qty : qty) * level * this.liquidationFee;
      else {
        const vol = volume[base + a]!;
        const participation = vol > 0 ? Math.min(1, (u < 0 ? -u : u) / vol) : 1;
        const variance = this.barVariance[a]!;
        const sigma = variance === variance ? Math.sqrt(variance) : 0;
        slippageBps = this.config.halfSpreadBps + this.config.impactCoef * sigma * Math.sqrt(participation) * 1e4;
        price = level * (1 + (qty > 0 ? 1 : -1) * slippageBps * 1e-4);
        fee = (qty < 0 ? -qty : qty) * (price < 0 ? -price : price) * this.config.feeBps * 1e-4;
      }
      this.applyFill(t, a, qty, price, fee, reason);
      this.logFill(t, a, qty, qty, price, fee, slippageBps, reason, true);
      this.barSlippage += (qty < 0 ? -qty : qty) * Math.abs(price - level);
    }
  }

  /** Time stops due at bar t's close: an order closing the position at the next open (reason time). */
  timeStops(t: number): void {
    const x = this.exits;
    if (x === undefined || !x.plan.usesTimeStop) return;
    for (let a = 0; a < this.nAssets; a++) {
      const u = this.units[a]!;
      if (u === 0) continue;
      const limit = x.timeStop[a]!;
      if (limit === limit && t + 1 - x.entryT[a]! >= limit) this.submit(a, -u, REASON.time);
    }
  }

  /** Cash, units, the position episode (trade) and the exit state's bookkeeping of one fill. */
  private applyFill(t: number, a: number, qty: number, price: number, fee: number, reason: number): void {
    const before = this.units[a]!;
    const after = before + qty;
    const x = this.exits;
    this.cash -= qty * price + fee;
    this.assetCash[a] = this.assetCash[a]! - qty * price - fee;
    if (before === 0) {
      this.openEpisode(a, t, -qty * price - fee);
      x?.open(a, t, price, qty > 0 ? 1 : -1);
    } else if ((before > 0 && after >= 0) || (before < 0 && after <= 0)) {
      this.episodeCash[a] = this.episodeCash[a]! - qty * price - fee;
      const side = before > 0 ? 1 : -1;
      if (after === 0) {
        this.closeEpisode(a, t, side, 0, false, reason);
        x?.close(a, t, side, reason);
      } else if (x !== undefined && (qty > 0) === (before > 0)) x.grow(a, (before * x.entry[a]! + qty * price) / after, side);
    } else {
      // a flip: the part that closes the old position ends its episode, the rest opens a new one
      const closing = -before;
      const share = closing / qty;
      this.episodeCash[a] = this.episodeCash[a]! - closing * price - fee * share;
      this.closeEpisode(a, t, before > 0 ? 1 : -1, 0, false, reason);
      this.openEpisode(a, t, -(qty - closing) * price - fee * (1 - share));
      x?.open(a, t, price, qty > 0 ? 1 : -1);
    }
    this.units[a] = after;
  }

  private openEpisode(a: number, t: number, cashFlow: number): void {
    this.episodeCash[a] = cashFlow;
    this.episodeStart[a] = t;
  }

  private closeEpisode(a: number, t: number, side: number, markValue: number, open = false, reason: number = REASON.signal): void {
    if (!open) this.exitsByReason[reason] = this.exitsByReason[reason]! + 1;
    const row = this.trades.append();
    const tr = this.trades.cols;
    tr.asset[row] = a;
    tr.side[row] = side;
    tr.entryT[row] = this.episodeStart[a]!;
    tr.exitT[row] = t;
    tr.pnl[row] = this.episodeCash[a]! + markValue;
    tr.open[row] = open ? 1 : 0;
    tr.reason[row] = reason;
    this.episodeCash[a] = 0;
  }

  /** Marks positions at bar t's close, updates the volatility estimates and gross/net values; returns equity. */
  markClose(panel: BarPanel, t: number): number {
    const A = this.nAssets;
    const base = t * A;
    let gross = 0;
    let net = 0;
    let margin = 0;
    const x = this.exits !== undefined && this.exits.plan.usesAtr ? this.exits : undefined;
    for (let a = 0; a < A; a++) {
      if (panel.present[base + a] === 1) {
        const c = panel.close[base + a]!;
        x?.updateAtr(a, panel.high[base + a]!, panel.low[base + a]!, c);
        const prev = this.lastPrice[a]!;
        if (prev === prev && prev !== 0) {
          const r = (c - prev) / (prev < 0 ? -prev : prev);
          const v = this.barVariance[a]!;
          this.barVariance[a] = v === v ? v + this.aVol * (r * r - v) : r * r;
        } else if (c !== 0) {
          // first bar: Parkinson-style guess from the range, sigma ~ 0.6 x (high - low) / close
          const range = (0.6 * (panel.high[base + a]! - panel.low[base + a]!)) / Math.abs(c);
          this.barVariance[a] = range * range;
        }
        this.lastPrice[a] = c;
      }
      const u = this.units[a]!;
      if (u !== 0) {
        const value = u * this.lastPrice[a]!;
        net += value;
        gross += value < 0 ? -value : value;
        if (this.perp) margin += (u < 0 ? -u : u) * this.exits!.entry[a]!;
      }
    }
    this.marginUsed = margin / this.leverage;
    this.grossValue = gross;
    this.netValue = net;
    return this.cash + net;
  }

  /** Closes the books at the end of a run: open episodes become open trades marked at the last price. */
  finish(lastT: number): void {
    for (let a = 0; a < this.nAssets; a++) {
      const u = this.units[a]!;
      if (u !== 0) this.closeEpisode(a, lastT, u > 0 ? 1 : -1, u * this.lastPrice[a]!, true);
    }
  }

  /** PnL per asset: cash flows plus the position marked at the last price. */
  assetPnl(): Float64Array {
    const out = new Float64Array(this.nAssets);
    for (let a = 0; a < this.nAssets; a++) {
      const u = this.units[a]!;
      out[a] = this.assetCash[a]! + (u !== 0 ? u * this.lastPrice[a]! : 0);
    }
    return out;
  }
}
