/** Performance metrics of one strategy run: returns, risk, drawdown, trades, exposure and costs, in one pass over the bars. */
import type { StrategyRun } from './result.ts';

/**
 * Metrics of a StrategyRun. Notation: n bars, equity E[0..n-1], E[-1] = initialCash (the equity before the first bar),
 * per-bar simple return r[t] = E[t] / E[t-1] - 1 for t = 0..n-1, years = n / periodsPerYear.
 * No field is ever NaN. A ratio whose denominator is 0 is 0 when its numerator is 0 too, and null when it is
 * unbounded (numerator != 0); JSON reports carry that null as is.
 */
export interface Metrics {
  /** n, the number of bars in the run */
  readonly bars: number;
  /** E[n-1] / initialCash - 1; 0 when n = 0 */
  readonly totalReturn: number;
  /** (E[n-1] / initialCash)^(1 / years) - 1; 0 when n = 0; -1 when final equity <= 0 */
  readonly cagr: number;
  /** sample standard deviation (n - 1 divisor) of r x sqrt(periodsPerYear); 0 when n < 2 */
  readonly annualVol: number;
  /** mean(r) / std(r) x sqrt(periodsPerYear), risk-free 0, std as in annualVol; 0 when std = 0 and mean = 0, null when std = 0 and mean != 0 */
  readonly sharpe: number | null;
  /** mean(r) / sqrt(sum(min(r, 0)^2) / n) x sqrt(periodsPerYear), target 0, downside over all n bars; 0 / null as for sharpe */
  readonly sortino: number | null;
  /** cagr / maxDrawdown; 0 when both are 0, null when maxDrawdown = 0 and cagr != 0 */
  readonly calmar: number | null;
  /** max over t of 1 - E[t] / peak[t], peak[t] = max(initialCash, E[0..t]); a positive fraction, 0 for a never-falling curve */
  readonly maxDrawdown: number;
  /** longest run of consecutive bars with E[t] strictly below peak[t-1] (a previous peak); a run still open at the end counts */
  readonly maxDrawdownBars: number;
  /** for that longest run: ts[recovery bar, or last bar if never recovered] - ts[peak bar, or bar 0 if the peak is initialCash], ms; 0 when never under water, null when ts is not given */
  readonly maxDrawdownDurationMs: number | null;
  /** closed trades with pnl > 0 / closed trades; 0 when there are none */
  readonly winRate: number;
  /** sum of pnl > 0 / |sum of pnl < 0| over closed trades; 0 when both are 0, null when there is no loss but some profit */
  readonly profitFactor: number | null;
  /** mean pnl per closed trade, quote currency; 0 when there are none */
  readonly expectancy: number;
  /** number of closed trades (TradeRecord.open = false) */
  readonly nTrades: number;
  /** number of trades still open at the end of the data */
  readonly nOpenTrades: number;
  /** mean TradeRecord.bars over closed trades; 0 when there are none */
  readonly avgHoldingBars: number;
  /** mean of grossExposure over the n bars; 0 when n = 0 */
  readonly exposure: number;
  /** bars with grossExposure > 0 / n; 0 when n = 0 */
  readonly timeInMarket: number;
  /** mean per-bar turnover x periodsPerYear (annualised traded notional / equity); 0 when n = 0 */
  readonly turnover: number;
  /** sum of fees over all bars, quote currency */
  readonly feesPaid: number;
  /** sum of slippage over all bars, quote currency */
  readonly slippagePaid: number;
  /** number of fills */
  readonly nFills: number;
  /** fills cut by the volume cap */
  readonly nPartialFills: number;
  /** E[n-1]; initialCash when n = 0 */
  readonly finalEquity: number;
}

/** num / den with the zero-denominator rule of Metrics: 0 when num = 0, null (unbounded) otherwise. */
function ratio(num: number, den: number): number | null {
  if (den > 0) return num / den;
  return num === 0 ? 0 : null;
}

/** Computes every Metrics field; ts (bar open times, ms, length n) is only needed for maxDrawdownDurationMs. */
export function computeMetrics(
  run: StrategyRun,
  periodsPerYear: number,
  initialCash: number,
  ts?: Float64Array,
): Metrics {
  const equity = run.equity;
  const n = equity.length;

  // One pass over the bars: return moments, drawdown, exposure and cost sums.
  let prev = initialCash;
  let meanR = 0;
  let m2 = 0; // Welford: sum of squared deviations from the running mean, exact 0 for a constant series
  let sumDown2 = 0;
  let peak = initialCash;
  let peakBar = -1;
  let maxDd = 0;
  let runStart = -1;
  let runPeakBar = -1;
  let bestLen = 0;
  let bestStart = -1;
  let bestPeakBar = -1;
  let bestEnd = -1;
  let sumGross = 0;
  let barsInMarket = 0;
  let sumTurnover = 0;
  let fees = 0;
  let slippage = 0;
  for (let t = 0; t < n; t++) {
    const e = equity[t]!;
    const r = prev !== 0 ? e / prev - 1 : 0;
    const delta = r - meanR;
    meanR += delta / (t + 1);
    m2 += delta * (r - meanR);
    if (r < 0) sumDown2 += r * r;
    prev = e;

    if (e < peak) {
      const dd = 1 - e / peak;
      if (dd > maxDd) maxDd = dd;
      if (runStart < 0) {
        runStart = t;
        runPeakBar = peakBar;
      }
      const len = t - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
        bestPeakBar = runPeakBar;
        bestEnd = -1;
      }
    } else {
      if (runStart >= 0 && bestStart === runStart && bestEnd < 0) bestEnd = t;
      runStart = -1;
      peak = e;
      peakBar = t;
    }

    const gross = run.grossExposure[t] ?? 0;
    sumGross += gross;
    if (gross > 0) barsInMarket++;
    sumTurnover += run.turnover[t] ?? 0;
    fees += run.fees[t] ?? 0;
    slippage += run.slippage[t] ?? 0;
  }

  const finalEquity = n > 0 ? equity[n - 1]! : initialCash;
  const growth = finalEquity / initialCash;
  const years = n / periodsPerYear;
  const totalReturn = n > 0 ? growth - 1 : 0;
  const cagr = n === 0 ? 0 : growth <= 0 ? -1 : Math.pow(growth, 1 / years) - 1;

  const mean = meanR;
  const std = n > 1 ? Math.sqrt(Math.max(0, m2 / (n - 1))) : 0;
  const downside = n > 0 ? Math.sqrt(sumDown2 / n) : 0;
  const annualise = Math.sqrt(periodsPerYear);
  const sharpe = ratio(mean, n > 1 ? std : 0);
  const sortino = ratio(mean, downside);

  let maxDrawdownDurationMs: number | null = null;
  if (ts !== undefined && bestLen > 0) {
    const from = ts[bestPeakBar >= 0 ? bestPeakBar : 0] ?? 0;
    const to = ts[bestEnd >= 0 ? bestEnd : n - 1] ?? from;
    maxDrawdownDurationMs = to - from;
  } else if (ts !== undefined) {
    maxDrawdownDurationMs = 0;
  }

  let nTrades = 0;
  let nOpenTrades = 0;
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let sumPnl = 0;
  let sumHold = 0;
  for (const trade of run.trades) {
    if (trade.open) {
      nOpenTrades++;
      continue;
    }
    nTrades++;
    sumPnl += trade.pnl;
    sumHold += trade.bars;
    if (trade.pnl > 0) {
      wins++;
      grossProfit += trade.pnl;
    } else if (trade.pnl < 0) {
      grossLoss -= trade.pnl;
    }
  }

  return {
    bars: n,
    totalReturn,
    cagr,
    annualVol: std * annualise,
    sharpe: sharpe === null ? null : sharpe * annualise,
    sortino: sortino === null ? null : sortino * annualise,
    calmar: ratio(cagr, maxDd),
    maxDrawdown: maxDd,
    maxDrawdownBars: bestLen,
    maxDrawdownDurationMs,
    winRate: nTrades > 0 ? wins / nTrades : 0,
    profitFactor: ratio(grossProfit, grossLoss),
    expectancy: nTrades > 0 ? sumPnl / nTrades : 0,
    nTrades,
    nOpenTrades,
    avgHoldingBars: nTrades > 0 ? sumHold / nTrades : 0,
    exposure: n > 0 ? sumGross / n : 0,
    timeInMarket: n > 0 ? barsInMarket / n : 0,
    turnover: n > 0 ? (sumTurnover / n) * periodsPerYear : 0,
    feesPaid: fees,
    slippagePaid: slippage,
    nFills: run.nFills,
    nPartialFills: run.nPartialFills,
    finalEquity,
  };
}
