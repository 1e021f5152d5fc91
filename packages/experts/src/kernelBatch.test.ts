import { describe, expect, it } from 'vitest';
import { parseConfig } from '@arena/core';
import { testBackends } from '@arena/kernels/testing';
import { generateSyntheticMarket } from '@arena/streams';
import { createExperts, runExpertBatch } from './index.ts';
import { computeExpertsWithKernels, kernelBatchObstacle, kernelPathPays } from './kernelBatch.ts';
import { setThresholds, thresholds } from '@arena/kernels';

const backends = await testBackends();
const config = parseConfig({}).experts;
// 3 assets, one starting 200 bars late and one ending 100 bars early (fine for the kernel path)
const market = generateSyntheticMarket({ seed: 21, assets: 3, bars: 3000, timeframe: '1h' });
const panel = market.panel.slice(0, 3000);
const knockOut = (t: number, a: number) => {
  const j = t * 3 + a;
  panel.present[j] = 0;
  for (const col of [panel.open, panel.high, panel.low, panel.close, panel.volume]) col[j] = NaN;
};
for (let t = 0; t < 200; t++) knockOut(t, 2);
for (let t = 2900; t < 3000; t++) knockOut(t, 1);
const ctx = { nAssets: 3, periodsPerYear: panel.periodsPerYear() };
const streaming = createExperts(config).map((e) => runExpertBatch(e, panel, ctx));

/** Largest |a - b| and the share of cells that differ by more than `loose`. */
function compare(a: Float64Array, b: Float64Array, loose: number): { maxDiff: number; share: number } {
  let maxDiff = 0;
  let off = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    maxDiff = Math.max(maxDiff, d);
    if (d > loose) off++;
  }
  return { maxDiff, share: off / a.length };
}

describe('experts on the kernels (batch mode) vs bar-by-bar streaming', () => {
  it('refuses panels with a missing bar after an asset started, naming it', () => {
    const holed = panel.slice(0, 500);
    holed.present[300 * 3 + 1] = 0;
    expect(kernelBatchObstacle(holed)).toMatch(/SYN1\/USD misses the bar at .* inside its range/);
    expect(kernelBatchObstacle(panel)).toBeUndefined();
  });

  it('is taken only when a measured crossover sends a kernel to the tensor backend at this size', () => {
    const wasm = backends.find((b) => b.name === 'wasm')!.runtime!;
    const saved = thresholds();
    try {
      setThresholds({});
      expect(kernelPathPays(panel, wasm)).toBe(false);
      setThresholds({ wasm: { Ema: panel.nTimes * panel.nAssets } });
      expect(kernelPathPays(panel, wasm)).toBe(true);
      setThresholds({ wasm: { Ema: panel.nTimes * panel.nAssets + 1 } });
      expect(kernelPathPays(panel, wasm)).toBe(false);
    } finally {
      setThresholds(saved);
    }
  });

  it('CPU reference kernels: every expert equals streaming within 1e-8 (float64, only summation order differs)', async () => {
    const cpu = backends.find((b) => b.name === 'cpu')!.runtime!;
    const batch = await computeExpertsWithKernels(panel, config, ctx, cpu, 'cpu');
    if (!Array.isArray(batch)) throw new Error(batch.obstacle);
    batch.forEach((s, k) => {
      expect(s.name).toBe(streaming[k]!.name);
      expect(compare(s.exposure, streaming[k]!.exposure, 1e-8).maxDiff).toBeLessThan(1e-8);
      expect(compare(s.confidence, streaming[k]!.confidence, 1e-8).maxDiff).toBeLessThan(1e-8);
    });
  });

  for (const b of backends) {
    it.skipIf(!b.runtime)(
      `tfjs kernels on ${b.name} (float32): |diff| <= 0.02 on 99.5% of cells for every expert${b.skipReason ? ` [${b.skipReason}]` : ''}`,
      async () => {
        const batch = await computeExpertsWithKernels(panel, config, ctx, b.runtime!, 'tfjs');
        if (!Array.isArray(batch)) throw new Error(batch.obstacle);
        batch.forEach((s, k) => {
          const { share } = compare(s.exposure, streaming[k]!.exposure, 0.02);
          expect(share, s.name).toBeLessThan(0.005);
        });
      },
    );
  }
});
