import { generateSyntheticMarket } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { runDataTeam, spearman } from './dataTeam.ts';

describe('data team', () => {
  it('spearman: rank correlation with ties, 0 without spread, NaN under 3 pairs', () => {
    expect(spearman(Float64Array.from([1, 2, 3, 4]), Float64Array.from([10, 20, 30, 40]), 4)).toBeCloseTo(1, 12);
    expect(spearman(Float64Array.from([1, 2, 3, 4]), Float64Array.from([4, 1, 0, -7]), 4)).toBeCloseTo(-1, 12);
    // ties take the average rank: x ranks 0, 1.5, 1.5, 3
    expect(spearman(Float64Array.from([1, 2, 2, 3]), Float64Array.from([1, 2, 3, 4]), 4)).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman(Float64Array.from([1, 1, 1]), Float64Array.from([1, 2, 3]), 3)).toBe(0);
    expect(spearman(Float64Array.from([1, 2]), Float64Array.from([1, 2]), 2)).toBeNaN();
  });

  const market = generateSyntheticMarket({ seed: 9, assets: 5, bars: 1600, timeframe: '1h' });
  const base = { window: 200, reselectEvery: 96, drift: { recent: 60 }, maxSamples: 4000 };
  const team = { variants: [{}, { window: 120, clusters: 3 }], horizon: 4, icWindows: 5 };
  const result = runDataTeam({ panel: market.panel, base, team, window: 24 });

  it('scores every variant at each window end and feeds the chosen one’s selection forward', () => {
    expect(result.variants.map((v) => v.name)).toEqual(['base', 'window=120 clusters=3']);
    expect(result.frames.length).toBe(Math.floor(1600 / 24));
    const scored = result.frames.filter((f) => f.ic.every(Number.isFinite));
    expect(scored.length).toBeGreaterThan(40);
    for (const f of scored) expect(f.chosen).toBe(f.ic[1]! > f.ic[0]! ? 1 : 0);
    // the merged run is, bar by bar, the selection of the variant chosen at that bar
    const runs = result.variants.map((v) => v.run);
    for (let t = 0; t < 1600; t++) {
      const v = result.chosenAt[t]!;
      const s = runs[v]!.at[t]!;
      const m = result.merged.at[t]!;
      if (s < 0) expect(m).toBe(-1);
      else expect(result.merged.history[m]!.features).toEqual(runs[v]!.history[s]!.features);
    }
    // the choice changes only at the bar after a window ends
    for (let t = 1; t < 1600; t++) if (result.chosenAt[t] !== result.chosenAt[t - 1]) expect((Math.round(market.panel.ts[t - 1]! / 3_600_000) + 1) % 24).toBe(0);
    expect(result.inputs.at).toBe(result.merged.at);
  });

  it('the IC scores use only known returns: rewriting the future leaves past frames unchanged', () => {
    const cut = 1000;
    const shifted = market.panel.slice(0, 1600);
    const A = shifted.nAssets;
    for (let i = (cut + 1) * A; i < shifted.close.length; i++) shifted.close[i] = shifted.close[i]! * (1 + ((i * 7919) % 13) / 100);
    const after = runDataTeam({ panel: shifted, base, team, window: 24 });
    const past = (r: typeof result) => r.frames.filter((f) => f.ts <= market.panel.ts[cut]!).map((f) => [f.chosen, ...Array.from(f.ic)]);
    expect(past(after)).toEqual(past(result));
  });
});
