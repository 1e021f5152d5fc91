import { describe, expect, it } from 'vitest';
import { BarPanel } from './barPanel.ts';
import type { OhlcvSeries } from './types.ts';

function series(symbol: string, ts: number[], close: number[]): OhlcvSeries {
  const f = (x: number[]) => Float64Array.from(x);
  return { symbol, timeframe: '1h', ts: f(ts), open: f(close), high: f(close.map((c) => c + 1)), low: f(close.map((c) => c - 1)), close: f(close), volume: f(close.map(() => 10)) };
}

describe('BarPanel', () => {
  it('aligns symbols on the union of their times and masks missing bars', () => {
    const p = BarPanel.fromSeries([series('A', [0, 1, 2, 3], [10, 11, 12, 13]), series('B', [1, 3], [20, 21])], '1h');
    expect(Array.from(p.ts)).toEqual([0, 1, 2, 3]);
    expect(Array.from(p.present)).toEqual([1, 0, 1, 1, 1, 0, 1, 1]);
    expect(p.close[2 * 2 + 1]).toBeNaN();
    expect(p.close[3 * 2 + 1]).toBe(21);
    expect(p.series(1).close).toEqual(Float64Array.from([20, 21]));
  });

  it('slices and estimates bars per year from the data', () => {
    const hour = 3_600_000;
    const ts = Array.from({ length: 8761 }, (_, i) => i * hour);
    const p = BarPanel.fromSeries([series('A', ts, ts.map(() => 1))], '1h');
    expect(p.periodsPerYear()).toBeCloseTo(8766, 0);
    expect(p.slice(10, 20).nTimes).toBe(10);
  });

  it('rejects duplicate symbols', () => {
    expect(() => new BarPanel(['A', 'A'], '1h', new Float64Array(1))).toThrow(/ARENA_E_PANEL_SHAPE: duplicate symbols/);
  });
});
