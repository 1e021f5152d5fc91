/** Every row stream, pushed row by row, gives its batch CPU reference's values bit for bit (NaNs, gaps, flat runs). */
import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { type Matrix, matrix } from '../matrix.ts';
import { atrCpu } from '../ops/atr.ts';
import { rollingCorrelationCpu } from '../ops/correlation.ts';
import { crossSectionalRankCpu, crossSectionalZScoreCpu } from '../ops/crossSection.ts';
import { emaCpu } from '../ops/ema.ts';
import { logReturnsCpu } from '../ops/logReturns.ts';
import { realizedVolCpu } from '../ops/realizedVol.ts';
import { rollingMaxCpu, rollingMinCpu } from '../ops/rollingExtremes.ts';
import { rollingMeanCpu } from '../ops/rollingMean.ts';
import { rollingSharpeCpu } from '../ops/rollingSharpe.ts';
import { rollingStdCpu } from '../ops/rollingStd.ts';
import { rollingZScoreCpu } from '../ops/rollingZScore.ts';
import { rsiCpu } from '../ops/rsi.ts';
import { CrossSectionalRankRow, crossSectionalZScoreRow } from './crossSection.ts';
import { AtrStream, EmaStream, LogReturnStream, RealizedVolStream, RollingCorrelationStream, RsiStream } from './recursive.ts';
import { RollingExtremeStream, RollingMeanStream, RollingMomentsStream } from './rolling.ts';

const ROWS = 700;
const COLS = 5;

/** Prices with NaN gaps, a column that starts late, a flat run and repeated values (ties, zero variance). */
function prices(seed: number): { close: Matrix; high: Matrix; low: Matrix } {
  const rng = new Rng(seed);
  const close = matrix(ROWS, COLS);
  const high = matrix(ROWS, COLS);
  const low = matrix(ROWS, COLS);
  for (let c = 0; c < COLS; c++) {
    let p = 100 + c;
    for (let t = 0; t < ROWS; t++) {
      const i = t * COLS + c;
      if (!(c === 2 && t >= 300 && t < 340)) p *= Math.exp(0.01 * rng.normal());
      const missing = (c === 1 && t % 97 === 5) || (c === 3 && t < 120) || (c === 4 && t >= 400 && t < 403);
      close.data[i] = missing ? NaN : p;
      high.data[i] = missing ? NaN : p * (1 + 0.004 * Math.abs(rng.normal()));
      low.data[i] = missing ? NaN : p * (1 - 0.004 * Math.abs(rng.normal()));
    }
  }
  return { close, high, low };
}

/** Pushes every row of x through `push` and collects the outputs as a matrix. */
function streamed(x: Matrix, push: (row: number, out: Float64Array, outOff: number) => void): Float64Array {
  const out = new Float64Array(x.rows * x.cols);
  for (let t = 0; t < x.rows; t++) push(t, out, t * x.cols);
  return out;
}

/** Bitwise equality (NaN equals NaN, 0 and -0 differ), with the first mismatch named. */
function expectSame(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) throw new Error(`${what}: cell ${i} (row ${Math.floor(i / COLS)}, col ${i % COLS}) streamed ${actual[i]}, batch ${expected[i]}`);
  }
}

describe('row streams equal their batch references', () => {
  const { close, high, low } = prices(3);
  const returns = { rows: ROWS, cols: COLS, data: logReturnsCpu(close, { lags: [1] })[0]!.data };

  it.each([3, 20, 48])('rolling mean, z-score, Sharpe and std over %i rows', (window) => {
    const mean = new RollingMeanStream(COLS, window);
    expectSame(streamed(returns, (t, o, off) => mean.push(returns.data, t * COLS, o, off)), rollingMeanCpu(returns, { window }).data, 'mean');
    for (const [name, batch] of [['z', rollingZScoreCpu(close, { window }).data], ['sharpe', rollingSharpeCpu(close, { window }).sharpe.data], ['std', rollingStdCpu(close, { window }).data]] as const) {
      const m = new RollingMomentsStream(COLS, window);
      const out = streamed(close, (t, o, off) => {
        m.push(close.data, t * COLS);
        if (name === 'z') m.zScore(close.data, t * COLS, o, off);
        else if (name === 'sharpe') m.sharpe(o, off);
        else m.std(o, off);
      });
      expectSame(out, batch, name);
    }
  });

  it.each([1, 14, 55])('rolling max and min over %i rows', (window) => {
    for (const max of [true, false]) {
      const s = new RollingExtremeStream(COLS, window, max);
      const batch = max ? rollingMaxCpu(high, { window }) : rollingMinCpu(high, { window });
      expectSame(streamed(high, (t, o, off) => s.push(high.data, t * COLS, o, off)), batch.data, max ? 'max' : 'min');
    }
  });

  it('EMA, RSI, ATR, log returns and realized volatility', () => {
    for (const span of [12, 200]) {
      const s = new EmaStream(COLS, 2 / (span + 1));
      expectSame(streamed(close, (t, o, off) => (s.push(close.data, t * COLS), o.set(s.value, off))), emaCpu(close, { span }).data, `ema ${span}`);
    }
    for (const window of [6, 14]) {
      const s = new RsiStream(COLS, window);
      expectSame(streamed(close, (t, o, off) => s.push(close.data, t * COLS, o, off)), rsiCpu(close, { window }).data, `rsi ${window}`);
      const a = new AtrStream(COLS, window);
      expectSame(streamed(close, (t, o, off) => a.push(high.data, low.data, close.data, t * COLS, o, off)), atrCpu({ high, low, close }, { window }).data, `atr ${window}`);
    }
    for (const lag of [1, 24]) {
      const s = new LogReturnStream(COLS, lag);
      expectSame(streamed(close, (t, o, off) => s.push(close.data, t * COLS, o, off)), logReturnsCpu(close, { lags: [lag] })[0]!.data, `ret ${lag}`);
    }
    for (const window of [12, 48]) {
      const s = new RealizedVolStream(COLS, window);
      expectSame(streamed(close, (t, o, off) => s.push(close.data, t * COLS, o, off)), realizedVolCpu(close, { window }).data, `rvol ${window}`);
    }
  });

  it('rolling correlation with a reference column, and the cross-sectional rank and z-score', () => {
    for (const ref of [0, 3]) {
      const s = new RollingCorrelationStream(COLS, 96, ref);
      expectSame(streamed(returns, (t, o, off) => s.push(returns.data, t * COLS, o, off)), rollingCorrelationCpu(returns, { window: 96, ref }).data, `corr ref ${ref}`);
    }
    const rank = new CrossSectionalRankRow(COLS);
    expectSame(streamed(returns, (t, o, off) => rank.push(returns.data, t * COLS, o, off)), crossSectionalRankCpu(returns).data, 'rank');
    expectSame(streamed(returns, (t, o, off) => crossSectionalZScoreRow(returns.data, t * COLS, COLS, o, off)), crossSectionalZScoreCpu(returns).data, 'cross z');
  });
});
