import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { afterAll, describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/ledger.ts';
import { type Observed, suggest } from './sampler.ts';
import { BUILTIN_SPACE, currentParams, decode, decodeDim, encodeDim, searchSpace, withParams } from './space.ts';
import { foldBlocks, optimize } from './study.ts';
import { runTrial, trialConfig } from './trial.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-opt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('search space', () => {
  it('decodes ints, logs and choices inside their ranges; encode inverts decode; values land at their config keys', () => {
    for (const d of BUILTIN_SPACE) {
      for (const u of [0, 0.3, 0.999999]) {
        const v = decodeDim(d, u) as number;
        expect(v).toBeGreaterThanOrEqual(d.min);
        expect(v).toBeLessThanOrEqual(d.max);
        if (d.kind === 'int') expect(Number.isInteger(v)).toBe(true);
        expect(Math.abs((decodeDim(d, encodeDim(d, v)) as number) - v) / Math.max(1, Math.abs(v))).toBeLessThan(1e-3);
      }
    }
    const config = parseConfig({});
    const dims = searchSpace(config, [], ['trend', 'portfolio']);
    expect(dims.map((d) => d.key)).toEqual(['experts.trend.fast', 'experts.trend.slow', 'experts.trend.gain', 'portfolio.costBand', 'portfolio.noTradeBand', 'portfolio.maxPerAsset']);
    expect(currentParams(config, dims, [])).toEqual({ 'experts.trend.fast': 20, 'experts.trend.slow': 100, 'experts.trend.gain': 1.5, 'portfolio.costBand': 2, 'portfolio.noTradeBand': 0.1, 'portfolio.maxPerAsset': 0.5 });
    const c = trialConfig(config, decode(dims, [0, 0, 0, 0.5, 0.5, 0.5]));
    expect(c.experts.trend.fast).toBe(5);
    expect(c.portfolio.costBand).toBe(2);
    expect(c.router.mode).toBe('static');
    expect(c.experts.weights.learned).toBe(0);
    expect(withParams({ experts: { custom: [{ name: 'x', module: 'm.ts', params: { a: 1 } }] } }, { 'experts.custom.x.b': 2 })).toEqual({ experts: { custom: [{ name: 'x', module: 'm.ts', params: { a: 1, b: 2 } }] } });
    expect(() => searchSpace(config, [], ['nope'])).toThrow(/--space names nope; the groups are trend, reversal/);
  });

  it('walk-forward blocks cover the bars in order; too few bars per block is refused', () => {
    expect(foldBlocks(1000, 3)).toEqual([[0, 250], [250, 500], [500, 750], [750, 1000]]);
    expect(() => foldBlocks(120, 3)).toThrow(/at least 50 are needed/);
  });
});

describe('samplers', () => {
  // a smooth objective with its peak at u = (0.8, 0.2, 0.6)
  const f = (u: readonly number[]) => -((u[0]! - 0.8) ** 2 + (u[1]! - 0.2) ** 2 + (u[2]! - 0.6) ** 2);
  const search = (sampler: 'tpe' | 'random', seed: number) => {
    const history: Observed[] = [];
    for (let i = 0; i < 80; i += 8) {
      const before = [...history];
      for (let j = i; j < i + 8; j++) {
        const u = suggest(sampler, 3, before, seed, j);
        history.push({ u, value: f(u) });
      }
    }
    return Math.max(...history.map((h) => h.value));
  };

  it('are deterministic for a seed and an index, whatever came after', () => {
    expect(suggest('tpe', 3, [], 4, 7)).toEqual(suggest('tpe', 3, [], 4, 7));
    expect(suggest('tpe', 3, [], 4, 7)).not.toEqual(suggest('tpe', 3, [], 4, 8));
  });

  it('TPE finds a better point than random search in the same 80 trials on most seeds', () => {
    let wins = 0;
    for (let seed = 1; seed <= 8; seed++) if (search('tpe', seed) > search('random', seed)) wins++;
    expect(wins).toBeGreaterThanOrEqual(6);
  });
});

describe('a study', () => {
  const { panel } = generateSyntheticMarket({ seed: 9, assets: 3, bars: 1800, timeframe: '1h' });
  const config = parseConfig({});

  it('a trial is the strategy over its block only: a later bar changed leaves an in-sample trial alone', () => {
    const params = currentParams(config, searchSpace(config, []), []);
    const a = runTrial(panel, config, [], params, 600, 1200, 'sharpe', 0);
    const changed = panel.slice(0, panel.nTimes);
    for (let t = 1200; t < 1800; t++) for (let k = 0; k < 3; k++) changed.close[t * 3 + k] = changed.close[t * 3 + k]! * 1.3;
    expect(runTrial(changed, config, [], params, 600, 1200, 'sharpe', 0)).toEqual(a);
    expect(a.metrics!.nTrades).toBeGreaterThan(0);
    expect(runTrial(panel, config, [], params, 600, 1200, 'sharpe', 1e6)).toMatchObject({ value: -Infinity, note: expect.stringMatching(/trades < --min-trades 1000000/) });
    expect(runTrial(panel, config, [], { ...params, 'experts.trend.fast': 150 }, 600, 1200, 'sharpe', 0)).toMatchObject({ value: -Infinity, note: expect.stringMatching(/infeasible: .*fast must be < experts.trend.slow/) });
  });

  it('stores every trial, continues an interrupted study to the same result, and gives the same points on 1 or 2 workers', async () => {
    const dims = searchSpace(config, [], ['trend', 'portfolio']);
    const base = { panel, source: 'synthetic seed=9', config, user: [], dims, objective: 'sharpe' as const, minTrades: 0, folds: 2, sampler: 'tpe' as const, seed: 3 };
    const whole = Ledger.open(join(dir, 'whole.db'));
    const a = await optimize({ ...base, trials: 20, workers: 2, ledger: whole });
    whole.close();
    expect(a.trials).toHaveLength(40);
    expect(a.trials[0]!.params).toEqual(a.defaults); // trial 0: the configured values
    // stopped after 11 trials of the first fold (a shorter study), then run again to 20
    const part = Ledger.open(join(dir, 'part.db'));
    const p1 = await optimize({ ...base, trials: 11, workers: 1, ledger: part });
    expect(p1.trialsRun).toBe(22);
    const p2 = await optimize({ ...base, trials: 20, workers: 1, ledger: part });
    expect(p2.resumedTrials).toBe(22);
    expect(p2.trialsRun).toBe(18);
    part.close();
    expect(p2.trials.map((t) => [t.fold, t.trial, t.params, t.value])).toEqual(a.trials.map((t) => [t.fold, t.trial, t.params, t.value]));
    expect(p2.folds).toEqual(a.folds);
    const stored = Ledger.open(join(dir, 'whole.db'), { readOnly: true });
    expect(stored.db.prepare('SELECT COUNT(*) AS n FROM optimize_trials').get()).toEqual({ n: 40 });
    stored.close();
    for (const f of a.folds) {
      expect(f.best.inSample).toBe(Math.max(...a.trials.filter((t) => t.fold === f.fold).map((t) => t.value)));
      expect(f.deflated!.trials).toBe(f.feasible);
    }
  }, 60_000);
});
