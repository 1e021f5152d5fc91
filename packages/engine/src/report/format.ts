/** Number formats and the metric rows shared by the console summary and the HTML report. */
import type { Metrics } from '../metrics.ts';
import type { ReportModel } from './model.ts';

/** '12.34%' of a fraction; '-' for null or non-finite. */
export function pct(v: number | null, digits = 2): string {
  return v === null || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(digits)}%`;
}

/** Fixed decimals; 'inf' for an unbounded ratio (null), '-' for NaN. */
export function ratio(v: number | null, digits = 2): string {
  if (v === null) return 'inf';
  if (Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return v.toFixed(digits);
}

/** Quote-currency amount with thousands separators and 2 decimals. */
export function money(v: number): string {
  if (!Number.isFinite(v)) return '-';
  const sign = v < 0 ? '-' : '';
  const [int, frac] = Math.abs(v).toFixed(2).split('.');
  return `${sign}${(int ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac ?? '00'}`;
}

/** '3d 4h', '5h 30m', '15m' for a duration in ms; '-' for null. */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return `${m}m`;
}

/** 'YYYY-MM-DD HH:MM' (UTC) of an ISO time; '-' for null. */
function shortTime(iso: string | null): string {
  return iso === null ? '-' : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** The SUMMARY METRICS rows, [metric, value], in display order. */
export function metricRows(model: ReportModel): [string, string][] {
  const m: Metrics = model.metrics;
  const meta = model.meta;
  return [
    ['Strategy', meta.strategy],
    ['Backtesting from', shortTime(meta.firstBar)],
    ['Backtesting to', shortTime(meta.lastBar)],
    ['Bars', `${meta.bars} x ${meta.timeframe}`],
    ['Starting balance', money(meta.initialCash)],
    ['Final balance', money(m.finalEquity)],
    ['Total return', pct(m.totalReturn)],
    ['CAGR', pct(m.cagr)],
    ['Annual volatility', pct(m.annualVol)],
    ['Sharpe', ratio(m.sharpe)],
    ['Sortino', ratio(m.sortino)],
    ['Calmar', ratio(m.calmar)],
    ['Max drawdown', pct(m.maxDrawdown)],
    ['Longest drawdown', `${m.maxDrawdownBars} bars (${duration(m.maxDrawdownDurationMs)})`],
    ['Closed trades', String(m.nTrades)],
    ['Open trades at end', String(m.nOpenTrades)],
    ['Win rate', pct(m.winRate)],
    ['Profit factor', ratio(m.profitFactor)],
    ['Expectancy / trade', money(m.expectancy)],
    ['Avg holding', `${m.avgHoldingBars.toFixed(1)} bars`],
    ['Mean gross exposure', pct(m.exposure)],
    ['Time in market', pct(m.timeInMarket)],
    ['Turnover (annual)', `${m.turnover.toFixed(2)}x`],
    ['Fees paid', money(m.feesPaid)],
    ['Slippage paid', money(m.slippagePaid)],
    ['Fills (partial)', `${m.nFills} (${m.nPartialFills})`],
    ['Data issues', `${meta.dataIssues.errors} errors, ${meta.dataIssues.warnings} warnings`],
    ['Kill switch', meta.halts.length === 0 ? 'never fired' : meta.halts.map((h) => h.reason).join('; ')],
    ...(meta.expertFaults ? [['Experts disabled', meta.expertFaults.map((f) => `${f.expert} at ${f.at}: ${f.reason}`).join('; ')] as [string, string]] : []),
  ];
}

export const BASELINE_HEADER = ['Strategy', 'Total return', 'CAGR', 'Sharpe', 'Sortino', 'Max DD', 'Trades', 'Fees'];

/** One comparison row per strategy: the main run first, then each baseline. */
export function baselineRows(model: ReportModel): string[][] {
  const row = (name: string, m: Metrics): string[] => [
    name,
    pct(m.totalReturn),
    pct(m.cagr),
    ratio(m.sharpe),
    ratio(m.sortino),
    pct(m.maxDrawdown),
    String(m.nTrades),
    money(m.feesPaid),
  ];
  return [row(model.meta.strategy, model.metrics), ...model.baselines.map((b) => row(b.name, b.metrics))];
}

export const ASSET_HEADER = ['Asset', 'PnL', 'Share'];
export function assetRows(model: ReportModel): string[][] {
  return model.assets.map((a) => [a.symbol, money(a.pnl), pct(a.share, 1)]);
}

export const EXPERT_HEADER = ['Expert', 'Weight', 'Gross PnL', 'Share'];
export function expertRows(model: ReportModel): string[][] {
  return model.experts.map((e) => [e.expert, e.weight.toFixed(3), money(e.pnl), pct(e.share, 1)]);
}
