import { parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { loadModels } from '../models.ts';
import { precompute } from './build.ts';

describe('precompute', () => {
  it('selections made ahead in a worker are the selections made inline: same swaps, learned exposures, routing and data team', async () => {
    const { panel } = generateSyntheticMarket({ seed: 11, assets: 3, bars: 1400, timeframe: '1h' });
    const config = parseConfig({ router: { mode: 'model' }, contest: { enabled: true } });
    const models = await loadModels(config, () => undefined);
    const inline = await precompute(panel, config, models, undefined, { selections: 'inline' });
    const ahead = await precompute(panel, config, models, undefined, { selections: 'ahead' });
    const swaps = (p: typeof inline) => p.selections.map((s) => ({ t: s.t, from: s.from, reason: s.reason, features: s.features, weights: s.weights }));
    // the learned expert re-selects on schedule and on drift over these bars
    expect(inline.selections.length).toBeGreaterThan(2);
    expect(swaps(ahead)).toEqual(swaps(inline));
    expect(ahead.experts.map((e) => Array.from(e.exposure))).toEqual(inline.experts.map((e) => Array.from(e.exposure)));
    expect(Array.from(ahead.routing.weights)).toEqual(Array.from(inline.routing.weights));
    // the data team's variants select too (one of them at another window): their choices match
    expect(inline.dataTeam?.frames.length).toBeGreaterThan(0);
    expect(ahead.dataTeam?.frames.map((f) => [f.ts, f.chosen, ...f.ic])).toEqual(inline.dataTeam?.frames.map((f) => [f.ts, f.chosen, ...f.ic]));
    for (const v of inline.dataTeam!.variants) {
      const of = (p: typeof inline) => p.dataTeam!.features.selector(v.selector).history.map((s) => [s.from, ...s.indices]);
      expect(of(ahead)).toEqual(of(inline));
    }
  }, 60_000);

  it('with funding (perpetuals), the worker reads the same funding rows: the same selections and learned exposures', async () => {
    const { panel } = generateSyntheticMarket({ seed: 12, assets: 3, bars: 1100, timeframe: '1h' });
    // a funding rate that moves (its features are in the catalogue only with funding data)
    const funding = Float64Array.from({ length: panel.nTimes * panel.nAssets }, (_, i) => 1e-4 * Math.sin(i / 37) + 2e-5 * ((i * 13) % 7));
    const config = parseConfig({});
    const models = await loadModels(config, () => undefined, funding);
    const inline = await precompute(panel, config, models, funding, { selections: 'inline' });
    const ahead = await precompute(panel, config, models, funding, { selections: 'ahead' });
    expect(inline.selections.length).toBeGreaterThan(1);
    expect(ahead.selections.map((s) => [s.from, ...s.indices])).toEqual(inline.selections.map((s) => [s.from, ...s.indices]));
    expect(ahead.experts.map((e) => Array.from(e.exposure))).toEqual(inline.experts.map((e) => Array.from(e.exposure)));
  }, 60_000);
});
