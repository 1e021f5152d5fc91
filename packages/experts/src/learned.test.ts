import { describe, expect, it } from 'vitest';
import { parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { runExpertBatch, stepExpert } from './expert.ts';
import { FlatExpert, LearnedExpert, createLearnedExpert } from './learned.ts';

const config = parseConfig({}).experts.learned;
const { panel } = generateSyntheticMarket({ seed: 3, assets: 3, bars: 1200, timeframe: '1h' });
const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };

describe('learned expert (the committed models/convnet/default)', () => {
  it('loads, holds 0 before its first selection, then trades in [-1, 1]; batch and bar-by-bar agree exactly', async () => {
    const expert = await createLearnedExpert(config);
    expect(expert).toBeInstanceOf(LearnedExpert);
    const batch = runExpertBatch(expert, panel, ctx);
    const A = panel.nAssets;
    const first = (expert as LearnedExpert).net.card.selector.window + (expert as LearnedExpert).net.card.selector.horizon - 1;
    for (let i = 0; i < first * A; i++) expect(batch.exposure[i]).toBe(0);
    let nonZero = 0;
    for (let i = first * A; i < batch.exposure.length; i++) {
      expect(Math.abs(batch.exposure[i]!)).toBeLessThanOrEqual(1);
      if (batch.exposure[i] !== 0) nonZero++;
    }
    expect(nonZero).toBeGreaterThan((panel.nTimes - first) * A * 0.9);
    expert.reset(ctx);
    const exposure = new Float64Array(panel.nTimes * A);
    const confidence = new Float64Array(panel.nTimes * A);
    for (let t = 0; t < panel.nTimes; t++) stepExpert(expert, panel, t, exposure, confidence, t * A);
    expect(Array.from(exposure)).toEqual(Array.from(batch.exposure));
    expect((expert as LearnedExpert).lastSelections.length).toBeGreaterThan(0);
  });

  it('holds 0 while the selection in effect keeps no feature (the net never learnt from an empty input), and trades again after', async () => {
    const expert = (await createLearnedExpert(config)) as LearnedExpert;
    const F = expert.net.card.features.length;
    const A = panel.nAssets;
    const T = panel.nTimes;
    const [from, to] = [400, 800];
    const at = Int32Array.from({ length: T }, (_, t) => (t < 100 ? -1 : t >= from && t < to ? 1 : 0));
    expert.useInputs(panel, { nTimes: T, nAssets: A, nFeatures: F, z: new Float32Array(0), masks: [new Float32Array(F).fill(1), new Float32Array(F)], at });
    const s = runExpertBatch(expert, panel, ctx);
    const nonZero = (t0: number, t1: number) => s.exposure.subarray(t0 * A, t1 * A).filter((v) => v !== 0).length;
    expect(nonZero(from, to)).toBe(0);
    expect(nonZero(300, from)).toBeGreaterThan((from - 300) * A * 0.9);
    expect(nonZero(to, T)).toBeGreaterThan((T - to) * A * 0.9);
  });

  it('a missing model holds 0 and says why, without throwing', async () => {
    const logs: string[] = [];
    const expert = await createLearnedExpert({ ...config, model: '/nonexistent/convnet' }, { log: (s) => logs.push(s) });
    expect(expert).toBeInstanceOf(FlatExpert);
    expect((expert as FlatExpert).reason).toMatch(/unavailable.*model\.json is missing/);
    expect(logs.join('\n')).toMatch(/holding 0/);
    const s = runExpertBatch(expert, panel, ctx);
    expect(s.exposure.every((v) => v === 0)).toBe(true);
  });
});
