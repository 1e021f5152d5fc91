import { BarPanel } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { evalFolds } from './evaluate.ts';
import { comparableSources, describeOverlaps, foldOverlaps } from './overlap.ts';

const H = 3_600_000;
const start = Date.UTC(2025, 0, 1);
// 1,000 hourly bars from 2025-01-01 00:00 (to 2025-02-11 15:00)
const panel = new BarPanel(['A'], '1h', Float64Array.from({ length: 1000 }, (_, t) => start + t * H));
const iso = (t: number) => new Date(start + t * H).toISOString();
const model = (to: number, horizon = 24, source = '/data/spot') => ({ model: 'm', source, from: iso(0), to: iso(to), horizon });

describe('foldOverlaps: a model fitted on a fold\'s test bars (plus an embargo) is found', () => {
  const bounds = evalFolds(1000, 0.3, 4); // test folds start at bars 500, 625, 750, 875

  it('flags exactly the folds whose test starts within the fitted range plus the embargo', () => {
    // fitted to bar 600: fold 1 (500..624) overlaps; fold 2 starts at 625 = 600 + 25 > 600 + 24: clear
    expect(foldOverlaps(panel, '/data/spot', bounds, [model(600)], 0).map((o) => o.fold)).toEqual([0]);
    // fitted to bar 601: 601 + 24 = 625 reaches fold 2's first bar
    expect(foldOverlaps(panel, '/data/spot', bounds, [model(601)], 0).map((o) => o.fold)).toEqual([0, 1]);
    // the caller's embargo wins when it is longer than the model's horizon
    expect(foldOverlaps(panel, '/data/spot', bounds, [model(601, 0)], 30).map((o) => o.fold)).toEqual([0, 1]);
    expect(foldOverlaps(panel, '/data/spot', bounds, [model(601, 0)], 0).map((o) => o.fold)).toEqual([0]);
    // fitted before the first test bar by more than the embargo: out of sample
    expect(foldOverlaps(panel, '/data/spot', bounds, [model(475)], 0)).toEqual([]);
    expect(foldOverlaps(panel, '/data/spot', bounds, [model(476)], 0).map((o) => o.fold)).toEqual([0]);
  });

  it('compares dates across real data sets but never between a synthetic market and anything else', () => {
    expect(comparableSources('../shared/data/crypto/binance/spot', '/work/data/crypto/binance/spot/1h')).toBe(true);
    expect(comparableSources('synthetic seed=1', 'synthetic seed=1')).toBe(true);
    expect(comparableSources('synthetic seed=2', 'synthetic seed=1')).toBe(false);
    expect(comparableSources('../shared/data/crypto/binance/spot', 'synthetic seed=1')).toBe(false);
    expect(foldOverlaps(panel, 'synthetic seed=1', bounds, [model(999, 24, 'synthetic seed=2')], 0)).toEqual([]);
    expect(foldOverlaps(panel, 'synthetic seed=1', bounds, [model(999, 24, 'synthetic seed=1')], 0)).toHaveLength(4);
  });

  it('describes each overlap with the model, its range and the fold\'s test range', () => {
    const o = foldOverlaps(panel, '/data/spot', bounds, [model(600)], 0);
    expect(describeOverlaps(o)).toBe('m was fitted on 2025-01-01..2025-01-26, which reaches fold 1\'s test bars 2025-01-21..2025-01-27');
  });
});
