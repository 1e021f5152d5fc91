import { describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import type { FeatureInfo, FeatureSet } from './featureSet.ts';
import { DynamicFeatureSelector, runSelector } from './selector.ts';
import { selectorConfig } from './selectorConfig.ts';

const H = 4;
const info = (name: string, group: FeatureInfo['group'] = 'returns'): FeatureInfo => ({ name, group, window: 1, description: name });

/**
 * Planted features on a synthetic panel: two that carry signal about the H-bar forward return (at two noise
 * levels), a near-copy of the first (redundant: same cluster), a causal momentum feature, and eight pure-noise ones.
 */
function planted(seed: number, bars = 3000, assets = 6) {
  const { panel } = generateSyntheticMarket({ seed, assets, bars, timeframe: '1h' });
  const T = panel.nTimes;
  const A = panel.nAssets;
  const rng = new Rng(seed * 31 + 1);
  const fwd = new Float64Array(T * A).fill(NaN);
  const mom = new Float64Array(T * A).fill(NaN);
  for (let t = 0; t < T; t++) {
    for (let a = 0; a < A; a++) {
      if (t + H < T) fwd[t * A + a] = Math.log(panel.close[(t + H) * A + a]! / panel.close[t * A + a]!);
      if (t >= 24) mom[t * A + a] = Math.log(panel.close[t * A + a]! / panel.close[(t - 24) * A + a]!);
    }
  }
  let sd = 0;
  let n = 0;
  for (const v of fwd) if (v === v) ((sd += v * v), n++);
  sd = Math.sqrt(sd / n);
  const col = (f: (i: number) => number) => Float64Array.from({ length: T * A }, (_, i) => f(i));
  const strong = col((i) => (fwd[i]! === fwd[i]! ? fwd[i]! / sd : 0) + 1.0 * rng.normal());
  const weak = col((i) => (fwd[i]! === fwd[i]! ? fwd[i]! / sd : 0) + 2.5 * rng.normal());
  const copy = col((i) => 3 * strong[i]! + 0.05 * rng.normal());
  const features: FeatureInfo[] = [info('signal_strong'), info('signal_weak'), info('signal_copy'), info('momentum_24', 'trend')];
  const columns: Float64Array[] = [strong, weak, copy, mom];
  for (let k = 0; k < 8; k++) {
    features.push(info(`noise_${k}`, 'volume'));
    columns.push(col(() => rng.normal()));
  }
  const set: FeatureSet = { features, nTimes: T, nAssets: A, columns };
  return { panel, set };
}

describe('DynamicFeatureSelector', () => {
  it('recovers the planted signal features and drops pure noise', () => {
    for (const seed of [1, 2, 3]) {
      const { panel, set } = planted(seed);
      const run = runSelector(set, panel, { window: 400, horizon: H, reselectEvery: 200, drift: { every: 1000, recent: 48 } });
      expect(run.history.length).toBeGreaterThanOrEqual(10);
      let noiseSlots = 0;
      let slots = 0;
      for (const s of run.history) {
        expect(s.features).toContain('signal_strong');
        expect(s.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        // the redundant copy shares the strong signal's cluster
        const byName = new Map(s.scores.map((x) => [x.name, x]));
        expect(byName.get('signal_copy')!.cluster).toBe(byName.get('signal_strong')!.cluster);
        slots += s.features.length;
        noiseSlots += s.features.filter((f) => f.startsWith('noise_')).length;
      }
      const weakShare = run.history.filter((s) => s.features.includes('signal_weak')).length / run.history.length;
      expect(weakShare).toBeGreaterThanOrEqual(0.8);
      expect(noiseSlots / slots).toBeLessThan(0.05);
    }
  });

  it('re-selects on schedule, and only from rows it has seen (a later change of the data does not move past selections)', () => {
    const { panel, set } = planted(4, 2000);
    const cfg = { window: 300, horizon: H, reselectEvery: 150, drift: { every: 1000, recent: 48 } };
    const a = runSelector(set, panel, cfg);
    expect(a.history[0]!.t).toBe(300 + H - 1);
    expect(a.history[0]!.reason).toBe('initial');
    for (let i = 1; i < a.history.length; i++) {
      expect(a.history[i]!.reason).toBe('scheduled');
      expect(a.history[i]!.t - a.history[i - 1]!.t).toBe(150);
    }
    // scramble everything after row 1200: selections made at or before 1200 are unchanged
    const cut = 1200;
    const rng = new Rng(9);
    const columns = set.columns.map((c) => Float64Array.from(c, (v, i) => (i >= (cut + 1) * set.nAssets ? rng.normal() * 5 : v)));
    const close = panel.close.slice();
    for (let i = (cut + 1) * panel.nAssets; i < close.length; i++) close[i] = close[i]! * Math.exp(0.1 * rng.normal());
    const p2 = Object.assign(Object.create(Object.getPrototypeOf(panel)), panel, { close });
    const b = runSelector({ ...set, columns }, p2, cfg);
    const before = (r: typeof a) => r.history.filter((s) => s.t <= cut).map((s) => [s.t, s.features.join(','), s.weights.join(',')]);
    expect(before(b)).toEqual(before(a));
    expect(before(a).length).toBeGreaterThan(3);
  });

  it('a distribution shift triggers an early re-selection by drift (PSI and KS), and a stable market does not', () => {
    for (const test of ['psi', 'ks'] as const) {
      const { panel, set: base } = planted(5, 2400);
      // stationary by construction: the planted noise columns (the synthetic market itself changes regime)
      const set: FeatureSet = { ...base, features: base.features.slice(4), columns: base.columns.slice(4) };
      const threshold = test === 'psi' ? 0.25 : 0.2;
      const cfg = { window: 400, horizon: H, reselectEvery: 1000, minSignificance: 0, drift: { test, threshold, recent: 48, every: 4 } };
      const calm = runSelector(set, panel, cfg);
      expect(calm.history.filter((s) => s.reason === 'drift')).toEqual([]);
      // from row 1000 on, every feature shifts by 2 of its standard deviations and doubles its spread
      const shift = 1000;
      const columns = set.columns.map((c) => Float64Array.from(c, (v, i) => (i >= shift * set.nAssets ? 2 * v + 2 * Math.sign(v || 1) + 2 : v)));
      const run = runSelector({ ...set, columns }, panel, cfg);
      const drift = run.history.find((s) => s.reason === 'drift');
      expect(drift, `${test}: no drift re-selection`).toBeDefined();
      expect(drift!.t).toBeGreaterThanOrEqual(shift);
      expect(drift!.t).toBeLessThan(shift + 100);
      expect(drift!.detail).toMatch(test === 'psi' ? /PSI/ : /KS/);
    }
  });

  it('with nothing but noise it selects nothing and says why', () => {
    const { panel, set } = planted(6, 1500);
    const noise: FeatureSet = { ...set, features: set.features.slice(4), columns: set.columns.slice(4) };
    const sel = new DynamicFeatureSelector(noise, panel, { window: 400, horizon: H });
    const s = sel.select(1000, 'initial', 'test');
    expect(s.features.length).toBeLessThanOrEqual(1);
    if (s.features.length === 0) expect(s.detail).toMatch(/no feature significant/);
  });

  it('rejects bad settings with the key', () => {
    expect(() => selectorConfig({ window: 5 })).toThrow(/features.window/);
    expect(() => selectorConfig({ blend: 2 })).toThrow(/features.blend/);
    expect(() => selectorConfig({ drift: { recent: 900 } })).toThrow(/drift.recent/);
  });
});
