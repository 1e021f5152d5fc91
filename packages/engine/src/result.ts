/** What a backtest produces: per-bar series for the main strategy and each baseline, trades, fills, attribution. */
import type { ContestSummary } from './contest/summary.ts';
import type { ArenaConfig, Timeframe } from '@arena/core';
import type { AuditRecord } from './audit.ts';
import type { RoutingSummary } from './routingSummary.ts';

import type { ExitReason } from './exits.ts';

/** The chart of one decision as the router saw it (PNG, base64, enlarged 3x). */
export interface DecisionChart {
  readonly t: number;
  readonly asset: number;
  readonly png: string;
}

/** A position episode of one asset: from flat (or a flip) to flat (or the next flip, or the end of data). */
export interface TradeRecord {
  readonly asset: number;
  readonly symbol: string;
  readonly side: 1 | -1;
  readonly entryTs: number;
  /** ts of the bar that closed the episode; for a trade still open at the end, the last bar's ts */
  readonly exitTs: number;
  /** bars held */
  readonly bars: number;
  /** profit in quote currency after fees and slippage, marked at the exit (or last) price */
  readonly pnl: number;
  /** true when the position was still open at the end of the data */
  readonly open: boolean;
  /** what closed it (exits.ts; 'signal' for a trade still open) */
  readonly reason: ExitReason;
}

/** The paper broker's executions, one row per fill, as columns. */
export interface FillColumns {
  /** bar index of the fill (filled at that bar's open) */
  readonly t: Float64Array;
  readonly asset: Float64Array;
  /** signed filled quantity */
  readonly qty: Float64Array;
  /** signed quantity the order asked for (more than qty when the volume cap cut it) */
  readonly requestedQty: Float64Array;
  readonly price: Float64Array;
  readonly fee: Float64Array;
  readonly slippageBps: Float64Array;
  /** why: the reason code of exits.ts EXIT_REASONS (0 signal, 1 stop, ...) */
  readonly reason: Float64Array;
}

export function emptyFills(): FillColumns {
  const e = () => new Float64Array(0);
  return { t: e(), asset: e(), qty: e(), requestedQty: e(), price: e(), fee: e(), slippageBps: e(), reason: e() };
}

/** One strategy run over the panel (the main strategy or a baseline). All arrays have length nTimes. */
export interface StrategyRun {
  readonly name: string;
  /** equity at each bar's close, after that bar's fills */
  readonly equity: Float64Array;
  /** sum |position value| / equity at each close */
  readonly grossExposure: Float64Array;
  /** sum position value / equity at each close */
  readonly netExposure: Float64Array;
  /** traded notional / equity in each bar */
  readonly turnover: Float64Array;
  /** fees paid in each bar, quote currency */
  readonly fees: Float64Array;
  /** slippage paid in each bar (vs the raw open), quote currency */
  readonly slippage: Float64Array;
  /** funding cash flow in each bar (perpetuals), quote currency: negative when paid */
  readonly funding: Float64Array;
  /** initial margin of the open positions / equity at each close (perpetuals; 0 on spot) */
  readonly margin: Float64Array;
  /** closed positions by what closed them */
  readonly exitsByReason: Readonly<Record<ExitReason, number>>;
  readonly trades: readonly TradeRecord[];
  readonly fills: FillColumns;
  readonly nFills: number;
  /** fills cut by the volume cap */
  readonly nPartialFills: number;
  /** orders not filled at all: missing bar, zero volume or a non-positive open */
  readonly nCancelled: number;
  /** PnL per asset after costs, quote currency, [nAssets] */
  readonly assetPnl: Float64Array;
  /** the risk kill switch's halts in this run (simulate's rows; the main strategy's are BacktestResult.halts) */
  readonly halts?: readonly { readonly ts: number; readonly reason: string }[];
}

/** Gross signal attribution of one expert: sum over bars and assets of its weighted exposure x the next bar's return x equity. */
export interface ExpertAttribution {
  readonly expert: string;
  readonly weight: number;
  /** quote currency, before costs and before the portfolio projection */
  readonly pnl: number;
}

/** How a backtest computed its expert outputs. */
export interface ComputeInfo {
  /** tensor backend of the runtime (tensorflow, webgpu, wasm, cpu), or none */
  readonly backend: string;
  /** kernels: whole-panel tensor kernels; streaming: the experts stepped bar by bar */
  readonly experts: 'kernels' | 'streaming';
  readonly note: string;
}

export interface BacktestResult {
  readonly config: ArenaConfig;
  /** 'synthetic seed=42' or the data folder as given */
  readonly source: string;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  /** bar open times, ms UTC, [nTimes] */
  readonly ts: Float64Array;
  readonly periodsPerYear: number;
  readonly initialCash: number;
  readonly main: StrategyRun;
  readonly expertAttribution: readonly ExpertAttribution[];
  /** buy and hold (equal weight), each expert alone, equal-weight experts */
  readonly baselines: readonly StrategyRun[];
  /** plain-language statement of how fills are simulated, printed in every report */
  readonly fillAssumptions: string;
  /** data-quality findings that reached the run (warnings) and rows skipped (errors) */
  readonly dataIssues: { readonly errors: number; readonly warnings: number };
  readonly compute: ComputeInfo;
  /** what the router did (absent when the static config weights combined the experts) */
  readonly routing?: RoutingSummary;
  /** the audit trail: one record per fill of the main strategy */
  readonly decisions?: readonly AuditRecord[];
  /** charts of the latest decisions */
  readonly decisionCharts?: readonly DecisionChart[];
  /** what the contest did, when it decided */
  readonly contest?: ContestSummary;
  /** the risk kill switch's halts (drawdown or daily loss), the same rule as the daemon's */
  readonly halts?: readonly { readonly ts: number; readonly reason: string }[];
  /** user experts disabled during the run: when, which, why (absent: none) */
  readonly expertFaults?: readonly { readonly ts: number; readonly expert: string; readonly reason: string }[];
}
