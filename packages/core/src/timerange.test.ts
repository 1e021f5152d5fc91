import { describe, expect, it } from 'vitest';
import { formatTimerange, inTimerange, parseTimerange, timerangeIndices } from './timerange.ts';
import { bucketStart, parseTimeframe, timeframeFromMs, timeframeMs } from './timeframe.ts';

describe('timerange', () => {
  it('parses closed and open ranges (UTC, end exclusive)', () => {
    expect(parseTimerange('20250101-20250601')).toEqual({ startMs: Date.UTC(2025, 0, 1), endMs: Date.UTC(2025, 5, 1) });
    expect(parseTimerange('20250101-')).toEqual({ startMs: Date.UTC(2025, 0, 1) });
    expect(parseTimerange('-20250601')).toEqual({ endMs: Date.UTC(2025, 5, 1) });
    expect(parseTimerange('1735689600-1735776000')).toEqual({ startMs: 1735689600000, endMs: 1735776000000 });
  });

  it('rejects malformed ranges with the reason', () => {
    expect(() => parseTimerange('2025-01-01')).toThrow(/ARENA_E_TIMERANGE.*START-END/);
    expect(() => parseTimerange('20250230-')).toThrow(/not a calendar date/);
    expect(() => parseTimerange('20250601-20250101')).toThrow(/end is not after start/);
    expect(() => parseTimerange('-')).toThrow(/both ends are empty/);
    expect(() => parseTimerange('2025ab01-')).toThrow(/neither YYYYMMDD/);
  });

  it('filters with start inclusive and end exclusive', () => {
    const r = parseTimerange('20250101-20250102');
    expect(inTimerange(Date.UTC(2025, 0, 1), r)).toBe(true);
    expect(inTimerange(Date.UTC(2025, 0, 2), r)).toBe(false);
    expect(formatTimerange(r)).toBe('20250101-20250102');
  });

  it('finds the index span of a range in a time index', () => {
    const ts = Float64Array.from([10, 20, 30, 40]);
    expect(timerangeIndices(ts, { startMs: 20, endMs: 40 })).toEqual([1, 3]);
    expect(timerangeIndices(ts, { startMs: 15 })).toEqual([1, 4]);
    expect(timerangeIndices(ts, { endMs: 5 })).toEqual([0, 0]);
  });
});

describe('timeframes', () => {
  it('knows the six timeframes and their lengths', () => {
    expect(timeframeMs(parseTimeframe('5m'))).toBe(300_000);
    expect(timeframeMs('1d')).toBe(86_400_000);
    expect(timeframeFromMs(14_400_000)).toBe('4h');
    expect(timeframeFromMs(7)).toBeUndefined();
    expect(() => parseTimeframe('2h')).toThrow(/ARENA_E_TIMEFRAME: unknown timeframe "2h"/);
  });

  it('buckets on UTC boundaries', () => {
    expect(bucketStart(Date.UTC(2025, 0, 1, 5, 17), '4h')).toBe(Date.UTC(2025, 0, 1, 4));
    expect(bucketStart(Date.UTC(2025, 0, 1, 23, 59), '1d')).toBe(Date.UTC(2025, 0, 1));
  });
});
