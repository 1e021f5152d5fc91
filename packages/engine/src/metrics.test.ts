import { describe, expect, it } from 'vitest';
import { computeMetrics, type Metrics } from './metrics.ts';
import type { StrategyRun, TradeRecord } from './result.ts';
import { emptyFills } from './result.ts';

const HOUR = 3_600_000;

function run(equity: number[], extra: Partial<Omit<StrategyRun, 'equity'>> = {}): StrategyRun {
  const n = equity.length;
  return {
    name: 'test',
    equity: Float64Array.from(equity),
    grossExposure: new Float64Array(n),
    netExposure: new Float64Array(n),
    turnover: new Float64Array(n),
    fees: new Float64Array(n),
    slippage: new Float64Array(n),
    funding: new Float64Array(n),
    margin: new Float64Array(n),
    exitsByReason: { signal: 0, stop: 0, target: 0, trailing: 0, time: 0, kill: 0, liquidation: 0 },
    trades: [],
    nFills: 0,
    nPartialFills: 0,
    nCancelled: 0,
    fills: emptyFills(),
    assetPnl: new Float64Array(1),
    ...extra,
  };
}

function trade(pnl: number, bars: number, open = false): TradeRecord {
  return { asset: 0, symbol: 'BTC/USDT', side: 1, entryTs: 0, exitTs: bars * HOUR, bars, pnl, open, reason: 'signal' };
}

function hourly(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => i * HOUR);
}

function expectNoNaN(m: Metrics): void {
  for (const [key, v] of Object.entries(m)) {
    if (v !== null) expect(Number.isNaN(v), key).toBe(false);
  }
}

describe('computeMetrics on equity [100, 110, 99, 121], initialCash 100, 252 periods/year', () => {
  const m = computeMetrics(run([100, 110, 99, 121]), 252, 100, hourly(4));
  // Per-bar returns against the previous equity, the bar before the first being initialCash = 100.
  const r0 = 100 / 100 - 1; // 0
  const r1 = 110 / 100 - 1; // 0.1
  const r2 = 99 / 110 - 1; // -0.1
  const r3 = 121 / 99 - 1; // 0.2222...
  const mean = (r0 + r1 + r2 + r3) / 4;
  const sampleVar = ((r0 - mean) ** 2 + (r1 - mean) ** 2 + (r2 - mean) ** 2 + (r3 - mean) ** 2) / 3;
  const downsideDev = Math.sqrt((r2 * r2) / 4); // only r2 < 0, divided by all 4 bars

  it('returns', () => {
    expect(m.bars).toBe(4);
    expect(m.finalEquity).toBe(121);
    expect(m.totalReturn).toBeCloseTo(0.21, 12);
    // 4 bars = 4/252 years -> growth^(252/4) - 1
    expect(m.cagr).toBeCloseTo(Math.pow(1.21, 63) - 1, 6);
  });

  it('volatility, Sharpe and Sortino', () => {
    expect(mean).toBeCloseTo(0.0555555556, 9);
    expect(m.annualVol).toBeCloseTo(Math.sqrt(sampleVar) * Math.sqrt(252), 12);
    expect(m.sharpe).toBeCloseTo((mean / Math.sqrt(sampleVar)) * Math.sqrt(252), 12);
    expect(downsideDev).toBeCloseTo(0.05, 12);
    expect(m.sortino).toBeCloseTo((mean / 0.05) * Math.sqrt(252), 10);
  });

  it('drawdown: 10% from 110 to 99, one bar under water, peak bar 1 to recovery bar 3', () => {
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(m.maxDrawdownBars).toBe(1);
    expect(m.maxDrawdownDurationMs).toBe(2 * HOUR);
    expect(m.calmar).toBeCloseTo((Math.pow(1.21, 63) - 1) / 0.1, 3);
  });
});

describe('drawdown duration', () => {
  it('counts a run still under water at the end, from the peak bar to the last bar', () => {
    const m = computeMetrics(run([100, 90, 95, 92]), 252, 100, hourly(4));
    expect(m.maxDrawdownBars).toBe(3);
    expect(m.maxDrawdownDurationMs).toBe(3 * HOUR);
    expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
  });

  it('measures a drawdown below initialCash from bar 0', () => {
    const m = computeMetrics(run([95, 96, 101]), 252, 100, hourly(3));
    expect(m.maxDrawdownBars).toBe(2);
    expect(m.maxDrawdownDurationMs).toBe(2 * HOUR);
    expect(m.maxDrawdown).toBeCloseTo(0.05, 12);
  });

  it('keeps the longest run, not the deepest; equal to the peak counts as recovered', () => {
    // run A: bar 1 (deep, 1 bar); run B: bars 3..5 (shallow, 3 bars), peak bar 2, recovered (equal) at bar 6
    const m = computeMetrics(run([100, 50, 101, 100, 99, 98, 101]), 252, 100, hourly(7));
    expect(m.maxDrawdown).toBeCloseTo(0.5, 12);
    expect(m.maxDrawdownBars).toBe(3);
    expect(m.maxDrawdownDurationMs).toBe(4 * HOUR);
  });

  it('is null in ms without ts', () => {
    expect(computeMetrics(run([100, 90]), 252, 100).maxDrawdownDurationMs).toBeNull();
  });
});

describe('trade metrics', () => {
  const trades = [trade(50, 2), trade(-20, 4), trade(30, 6), trade(-10, 8), trade(1000, 3, true)];
  const m = computeMetrics(run([100, 101], { trades }), 252, 100);

  it('counts closed trades only', () => {
    expect(m.nTrades).toBe(4);
    expect(m.nOpenTrades).toBe(1);
    expect(m.winRate).toBe(2 / 4);
    expect(m.profitFactor).toBeCloseTo((50 + 30) / (20 + 10), 12);
    expect(m.expectancy).toBeCloseTo((50 - 20 + 30 - 10) / 4, 12);
    expect(m.avgHoldingBars).toBe((2 + 4 + 6 + 8) / 4);
  });

  it('profit factor is null with profits and no loss, 0 with no trades', () => {
    expect(computeMetrics(run([100], { trades: [trade(5, 1), trade(0, 1)] }), 252, 100).profitFactor).toBeNull();
    const none = computeMetrics(run([100, 100]), 252, 100);
    expect(none.profitFactor).toBe(0);
    expect(none.winRate).toBe(0);
    expect(none.expectancy).toBe(0);
    expect(none.avgHoldingBars).toBe(0);
  });
});

describe('exposure and costs', () => {
  it('averages exposure, annualises turnover, sums costs', () => {
    const m = computeMetrics(
      run([100, 100, 100, 100], {
        grossExposure: Float64Array.from([0, 0.5, 1, 0]),
        turnover: Float64Array.from([0.1, 0, 0.2, 0.1]),
        fees: Float64Array.from([1, 0, 2, 0.5]),
        slippage: Float64Array.from([0.25, 0, 0.5, 0]),
        nFills: 7,
        nPartialFills: 2,
      }),
      252,
      100,
    );
    expect(m.exposure).toBeCloseTo((0 + 0.5 + 1 + 0) / 4, 12);
    expect(m.timeInMarket).toBe(2 / 4);
    expect(m.turnover).toBeCloseTo(((0.1 + 0 + 0.2 + 0.1) / 4) * 252, 10);
    expect(m.feesPaid).toBeCloseTo(3.5, 12);
    expect(m.slippagePaid).toBeCloseTo(0.75, 12);
    expect(m.nFills).toBe(7);
    expect(m.nPartialFills).toBe(2);
  });
});

describe('degenerate cases', () => {
  it('flat equity: zero ratios, no NaN', () => {
    const m = computeMetrics(run([100, 100, 100]), 252, 100, hourly(3));
    expectNoNaN(m);
    expect(m.totalReturn).toBe(0);
    expect(m.cagr).toBe(0);
    expect(m.annualVol).toBe(0);
    expect(m.sharpe).toBe(0);
    expect(m.sortino).toBe(0);
    expect(m.calmar).toBe(0);
    expect(m.maxDrawdown).toBe(0);
    expect(m.maxDrawdownBars).toBe(0);
    expect(m.maxDrawdownDurationMs).toBe(0);
  });

  it('constant positive return (zero volatility, no drawdown): unbounded ratios are null', () => {
    const m = computeMetrics(run([2, 4, 8]), 252, 1);
    expectNoNaN(m);
    expect(m.annualVol).toBe(0);
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.calmar).toBeNull();
    expect(m.totalReturn).toBe(7);
  });

  it('empty run and a single bar', () => {
    const empty = computeMetrics(run([]), 252, 100, hourly(0));
    expectNoNaN(empty);
    expect(empty.finalEquity).toBe(100);
    expect(empty.bars).toBe(0);
    expect(empty.totalReturn).toBe(0);
    expect(empty.sharpe).toBe(0);
    const one = computeMetrics(run([100]), 252, 100, hourly(1));
    expectNoNaN(one);
    expect(one.annualVol).toBe(0);
    expect(one.sharpe).toBe(0);
  });

  it('equity wiped out: CAGR -1, drawdown 1', () => {
    const m = computeMetrics(run([50, 0]), 252, 100);
    expectNoNaN(m);
    expect(m.cagr).toBe(-1);
    expect(m.maxDrawdown).toBe(1);
  });
});
