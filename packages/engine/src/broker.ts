/** Paper broker: market orders filled at the next bar's open with fees, spread + impact slippage and a volume cap. */
import type { ArenaConfig, BarPanel } from '@arena/core';
import { GrowableColumns } from './growable.ts';

export type BrokerConfig = ArenaConfig['broker'];

const FILL_COLUMNS = ['t', 'asset', 'qty', 'requestedQty', 'price', 'fee', 'slippageBps'] as const;
const TRADE_COLUMNS = ['asset', 'side', 'entryT', 'exitT', 'pnl', 'open'] as const;
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
  private readonly aVol = 2 / (VOL_SPAN + 1);

  constructor(
    readonly nAssets: number,
    readonly config: BrokerConfig,
  ) {
    this.cash = config.initialCash;
    this.units = new Float64Array(nAssets);
    this.lastPrice = new Float64Array(nAssets).fill(NaN);
    this.pending = new Float64Array(nAssets);
    this.barVariance = new Float64Array(nAssets).fill(NaN);
    this.assetCash = new Float64Array(nAssets);
    this.episodeCash = new Float64Array(nAssets);
    this.episodeStart = new Float64Array(nAssets);
  }

  submit(asset: number, qty: number): void {
    this.pending[asset] = qty;
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
      this.applyFill(t, a, qty, price, fee);
      const row = this.fills.append();
      this.fills.set('t', row, t);
      this.fills.set('asset', row, a);
      this.fills.set('qty', row, qty);
      this.fills.set('requestedQty', row, requested);
      this.fills.set('price', row, price);
      this.fills.set('fee', row, fee);
      this.fills.set('slippageBps', row, slippageBps);
      this.barFees += fee;
      this.barSlippage += absQty * Math.abs(price - open);
      this.barTraded += notional;
    }
  }

  /** Cash, units and the position episode (trade) bookkeeping of one fill. */
  private applyFill(t: number, a: number, qty: number, price: number, fee: number): void {
    const before = this.units[a]!;
    const after = before + qty;
    this.cash -= qty * price + fee;
    this.assetCash[a] = this.assetCash[a]! - qty * price - fee;
    if (before === 0) {
      this.openEpisode(a, t, -qty * price - fee);
    } else if ((before > 0 && after >= 0) || (before < 0 && after <= 0)) {
      this.episodeCash[a] = this.episodeCash[a]! - qty * price - fee;
      if (after === 0) this.closeEpisode(a, t, before > 0 ? 1 : -1, 0);
    } else {
      // a flip: the part that closes the old position ends its episode, the rest opens a new one
      const closing = -before;
      const share = closing / qty;
      this.episodeCash[a] = this.episodeCash[a]! - closing * price - fee * share;
      this.closeEpisode(a, t, before > 0 ? 1 : -1, 0);
      this.openEpisode(a, t, -(qty - closing) * price - fee * (1 - share));
    }
    this.units[a] = after;
  }

  private openEpisode(a: number, t: number, cashFlow: number): void {
    this.episodeCash[a] = cashFlow;
    this.episodeStart[a] = t;
  }

  private closeEpisode(a: number, t: number, side: number, markValue: number, open = false): void {
    const row = this.trades.append();
    this.trades.set('asset', row, a);
    this.trades.set('side', row, side);
    this.trades.set('entryT', row, this.episodeStart[a]!);
    this.trades.set('exitT', row, t);
    this.trades.set('pnl', row, this.episodeCash[a]! + markValue);
    this.trades.set('open', row, open ? 1 : 0);
    this.episodeCash[a] = 0;
  }

  /** Marks positions at bar t's close, updates the volatility estimates and gross/net values; returns equity. */
  markClose(panel: BarPanel, t: number): number {
    const A = this.nAssets;
    const base = t * A;
    let gross = 0;
    let net = 0;
    for (let a = 0; a < A; a++) {
      if (panel.present[base + a] === 1) {
        const c = panel.close[base + a]!;
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
      }
    }
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
