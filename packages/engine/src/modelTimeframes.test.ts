import { describe, expect, it } from 'vitest';
import { parseConfig } from '@arena/core';
import { loadModels } from './models.ts';
import { otherTimeframeModels, otherTimeframeWarning } from './modelTimeframes.ts';

describe('models fitted on another bar size than the run steps', () => {
  it('lists the committed convnet and the router that routes (or the one beside), not a chain of retrained nets or equal weights', async () => {
    const routed = await loadModels(parseConfig({ router: { mode: 'model' } }), () => undefined);
    // the committed models' cards say 1h
    expect(otherTimeframeModels(routed, { routing: routed.router }, '1h')).toEqual([]);
    const on5m = otherTimeframeModels(routed, { routing: routed.router }, '5m');
    expect(on5m.map((m) => [m.model, m.fittedOn])).toEqual([
      ['learned expert (convnet default)', '1h'],
      ['router default', '1h'],
    ]);
    expect(otherTimeframeWarning(on5m[1]!, '5m')).toMatch(/^router default was fitted on 1h bars and this run steps 5m bars; .*arena train router --timeframe 5m\) or route with equal weights \(--router equal\)$/);
    // eval --train: the convnet retrained per fold on the run's bars (a chain), the router retrained too (not given)
    expect(otherTimeframeModels({ ...routed, learnedChain: [] }, {}, '5m')).toEqual([]);
    // a router that only has its row beside an equal-weight strategy is named as such
    const equal = await loadModels(parseConfig({}), () => undefined, undefined, { compareRouter: true });
    expect(equal.comparisonRouter).toBeDefined();
    const beside = otherTimeframeModels(equal, { routing: equal.router, beside: equal.comparisonRouter }, '1d');
    expect(beside.map((m) => m.model)).toEqual(['learned expert (convnet default)', 'router default (its row beside the strategy)']);
    expect(otherTimeframeModels({ router: equal.router }, { routing: equal.router }, '1d')).toEqual([]);
  });
});
