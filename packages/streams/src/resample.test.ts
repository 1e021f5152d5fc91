import { describe, expect, it } from 'vitest';
import type { OhlcvSeries } from '@arena/core';
import { resample } from './resample.ts';

const M = 60_000;
const T0 = Date.UTC(2025, 0, 1);
const series = (rows: number[][]): OhlcvSeries => ({
  symbol: 'X/Y',
  timeframe: '5m',
  ts: Float64Array.from(rows.map((r) => r[0]!)),
  open: Float64Array.from(rows.map((r) => r[1]!)),
  high: Float64Array.from(rows.map((r) => r[2]!)),
  low: Float64Array.from(rows.map((r) => r[3]!)),
  close: Float64Array.from(rows.map((r) => r[4]!)),
  volume: Float64Array.from(rows.map((r) => r[5]!)),
});

describe('resample', () => {
  it('builds 15m bars from 5m bars: first open, max high, min low, last close, summed volume', () => {
    const s = series([
      [T0, 10, 12, 9, 11, 1],
      [T0 + 5 * M, 11, 15, 10, 14, 2],
      [T0 + 10 * M, 14, 14, 8, 9, 3],
      [T0 + 15 * M, 9, 10, 7, 8, 4], // second bucket, partial (10m and 15m missing)
      // no bar at all in [T0+30m, T0+45m): no bucket is created
      [T0 + 50 * M, 20, 21, 19, 20.5, 5], // fourth bucket starts at T0+45m
    ]);
    const r = resample(s, '15m');
    expect(r.timeframe).toBe('15m');
    expect(r.symbol).toBe('X/Y');
    expect(Array.from(r.ts)).toEqual([T0, T0 + 15 * M, T0 + 45 * M]);
    expect(Array.from(r.open)).toEqual([10, 9, 20]);
    expect(Array.from(r.high)).toEqual([15, 10, 21]);
    expect(Array.from(r.low)).toEqual([8, 7, 19]);
    expect(Array.from(r.close)).toEqual([9, 8, 20.5]);
    expect(Array.from(r.volume)).toEqual([6, 4, 5]);
  });

  it('aligns buckets on UTC, not on the first bar', () => {
    const s = series([
      [T0 + 55 * M, 1, 2, 1, 2, 1],
      [T0 + 60 * M, 2, 3, 2, 3, 1],
    ]);
    expect(Array.from(resample(s, '1h').ts)).toEqual([T0, T0 + 60 * M]);
    expect(Array.from(resample(s, '1d').close)).toEqual([3]);
  });

  it('returns the series itself for the same timeframe, and refuses a finer one', () => {
    const s = series([[T0, 1, 1, 1, 1, 1]]);
    expect(resample(s, '5m')).toBe(s);
    expect(() => resample(s, '1m')).toThrow('ARENA_E_DATA_TIMEFRAME: cannot make 1m bars from 5m data (1m is finer than 5m)');
  });

  it('handles an empty series', () => {
    expect(resample(series([]), '1h').ts.length).toBe(0);
  });
});
