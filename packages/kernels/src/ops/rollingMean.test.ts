import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { maxRelativeError } from '../matrix.ts';
import { testBackends, withTfjsChunk } from '../testing.ts';
import { RollingMeanKernel, rollingMeanCpu } from './rollingMean.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

describe('RollingMean', () => {
  it('reference: hand-computed means, NaN while the window is short or holds a NaN', () => {
    const x = { rows: 5, cols: 2, data: Float64Array.from([1, 10, 2, NaN, 3, 30, 4, 40, 5, 50]) };
    const y = rollingMeanCpu(x, { window: 2 });
    expect(Array.from(y.data)).toEqual([NaN, NaN, 1.5, NaN, 2.5, NaN, 3.5, 35, 4.5, 45]);
  });

  const x = randomWalk(700, 5, 3, { holes: true });
  const expected = rollingMeanCpu(x, { window: 20 });
  for (const b of backends) {
    for (const impl of ['tfjs', 'webgpu'] as const) {
      if (impl === 'webgpu' && b.name !== 'webgpu') continue;
      it.skipIf(!b.runtime)(`${impl} on ${b.name} equals the reference (float32: rel. error < 1e-5)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, RollingMeanKernel, x, { window: 20 }, impl);
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-5);
      });
    }
  }
});

describe('RollingMean in chunks', () => {
  it('tfjs over many row chunks equals the reference', async () => {
    const x = randomWalk(300, 3, 5, { holes: true });
    const cpu = backends.find((b) => b.name === 'cpu')!.runtime!;
    await withTfjsChunk(60, async () => {
      const y = await runKernel(cpu, RollingMeanKernel, x, { window: 10 }, 'tfjs');
      expect(maxRelativeError(y, rollingMeanCpu(x, { window: 10 }))).toBeLessThan(1e-5);
    });
  });
});
