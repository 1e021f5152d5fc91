/** Bias checks: look-ahead (a stage reading past its bar) and recursive (an indicator depending on how much history came before). */
import { type BarPanel, EXPERT_NAMES, parseConfig } from '@arena/core';
import { type Router, type RoutingSeries, equalRouting } from '@arena/router';
import { generateSyntheticMarket } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { loadModels } from '../models.ts';
import { lookaheadAnalysis } from './lookahead.ts';
import { recursiveAnalysis } from './recursive.ts';

const { panel } = generateSyntheticMarket({ seed: 5, assets: 3, bars: 700, timeframe: '1h' });

/** A batch router that peeks: it weights trend fully where the next bar closes up. */
class PeekingRouter implements Router {
  readonly source = 'static' as const;
  readonly note = 'peeks at the next bar';
  async route(p: BarPanel): Promise<RoutingSeries> {
    const r = equalRouting(p, this.note);
    const A = p.nAssets;
    const E = EXPERT_NAMES.length;
    for (let t = 0; t + 1 < p.nTimes; t++) {
      for (let a = 0; a < A; a++) {
        if (!(p.close[(t + 1) * A + a]! > p.close[t * A + a]!)) continue;
        r.weights.fill(0, (t * A + a) * E, (t * A + a + 1) * E);
        r.weights[(t * A + a) * E] = 1;
      }
    }
    return r;
  }
}

describe('lookahead analysis', () => {
  it('the learned expert, the model router and the contest with its data team: no stage changes when the data ends at the decision', async () => {
    const config = parseConfig({ router: { mode: 'model' }, contest: { enabled: true } });
    const models = await loadModels(config, () => undefined);
    // long enough that the learned expert's selections keep features (an empty selection holds it at 0); the sampled
    // decisions (fills, seed 2) include bars where it holds a position
    const long = generateSyntheticMarket({ seed: 5, assets: 3, bars: 1000, timeframe: '1h' }).panel;
    const r = await lookaheadAnalysis({ panel: long, config, models, samples: 5, seed: 2 });
    expect(r.decisions).toHaveLength(5);
    expect(r.stages.map((s) => s.stage)).toEqual(['features', ...EXPERT_NAMES.map((e) => `expert:${e}`), 'router:weights', 'router:regime', 'contest:proposals', 'target (contest)', 'data team']);
    for (const s of r.stages) {
      expect(s.changed, s.stage).toBe(0);
      // every stage had something to compare
      expect(s.maxAbs, s.stage).toBeGreaterThan(0);
    }
    expect(r.biased).toBe(false);
  }, 120_000);

  it('a router that reads the next bar is caught, and so is the target built on it; the stages before it are clean', async () => {
    const config = parseConfig({});
    const r = await lookaheadAnalysis({ panel, config, models: { router: new PeekingRouter() }, samples: 8 });
    const stage = (name: string) => r.stages.find((s) => s.stage === name)!;
    expect(r.biased).toBe(true);
    expect(stage('router:weights').biased).toBe(true);
    expect(stage('router:weights').changed).toBeGreaterThan(0);
    expect(stage('router:weights').firstChanged).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(stage('target (combination)').biased).toBe(true);
    for (const name of ['features', 'expert:trend', 'expert:breakout']) expect(stage(name).biased).toBe(false);
  }, 60_000);
});

describe('recursive analysis', () => {
  const long = generateSyntheticMarket({ seed: 6, assets: 2, bars: 2600, timeframe: '1h' }).panel;

  it('the catalogue and the rule experts: finite windows agree exactly, recursive ones converge within 2,000 bars', () => {
    const r = recursiveAnalysis({ panel: long, config: parseConfig({}) });
    expect(r.startups).toEqual([200, 500, 1000, 2000]);
    expect(r.biased).toBe(false);
    const check = (name: string) => r.indicators.find((c) => c.indicator === name)!;
    // a 24-bar return has no memory beyond its window
    expect(check('feature:ret_24').diffs['200']).toBe(0);
    // the 200-bar EMA gap is recursive: 200 bars of startup are not enough, 2,000 are
    expect(check('feature:ema_gap_200').needs).toBeGreaterThan(200);
    expect(check('feature:ema_gap_200').diffs['200']!).toBeGreaterThan(check('feature:ema_gap_200').diffs['2000']!);
    expect(r.startupNeeded).toBeGreaterThanOrEqual(check('feature:ema_gap_200').needs!);
    expect(r.indicators.some((c) => c.indicator === 'expert:learned')).toBe(false);
  });

  it('an indicator with more memory than any startup tried is reported biased', () => {
    const config = parseConfig({ experts: { trend: { fast: 200, slow: 1500, volWindow: 800 } } });
    const r = recursiveAnalysis({ panel: long, config });
    const trend = r.indicators.find((c) => c.indicator === 'expert:trend')!;
    expect(trend.biased).toBe(true);
    expect(trend.needs).toBeNull();
    expect(r.biased).toBe(true);
    expect(r.startupNeeded).toBeNull();
  });
});
