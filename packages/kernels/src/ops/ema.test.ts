import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { EmaKernel, emaCpu, scanLimits } from './ema.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

describe('Ema', () => {
  it('reference: seeded with the first value, a NaN row outputs NaN and keeps the state', () => {
    // span 3: alpha = 0.5
    const x = matrix(5, 2, Float64Array.from([NaN, 10, 2, NaN, 4, 20, NaN, 30, 8, 40]));
    const y = emaCpu(x, { span: 3 });
    const a = 0.5;
    const c0 = [NaN, 2, 2 + a * (4 - 2), NaN, 3 + a * (8 - 3)]; // 2, 3, -, 5.5
    const c1 = [10, NaN, 10 + a * (20 - 10), 15 + a * (30 - 15), 22.5 + a * (40 - 22.5)]; // 10, -, 15, 22.5, 31.25
    expect(Array.from(y.data)).toEqual([c0[0], c1[0], c0[1], c1[1], c0[2], c1[2], c0[3], c1[3], c0[4], c1[4]]);
    expect(y.data[9]).toBe(31.25);
  });

  it('reference: span 1 is the input itself', () => {
    const x = matrix(3, 1, Float64Array.from([1, NaN, 3]));
    expect(Array.from(emaCpu(x, { span: 1 }).data)).toEqual([1, NaN, 3]);
  });

  // 700 rows cross several blocks and two levels of the blocked scan; span 200 carries state far back
  const x = randomWalk(700, 5, 3, { holes: true });
  for (const span of [3, 200]) {
    const expected = emaCpu(x, { span });
    for (const b of backends) {
      it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference, span ${span} (float32: rel. error < 2e-6)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, EmaKernel, x, { span }, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(2e-6);
      });
    }
  }

  // 64-row chunks: the state and the seen counts cross 11 chunk boundaries (one of them inside the late start)
  const expected = emaCpu(x, { span: 10 });
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} carries the state across row chunks${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const saved = scanLimits.chunkElements;
      scanLimits.chunkElements = 32 * 5 * 64;
      try {
        const y = await runKernel(b.runtime!, EmaKernel, x, { span: 10 }, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(2e-6);
      } finally {
        scanLimits.chunkElements = saved;
      }
    });
  }
});
