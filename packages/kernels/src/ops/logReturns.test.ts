import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { LogReturnsKernel, logReturnsCpu, logReturnsLimits } from './logReturns.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

describe('LogReturns', () => {
  it('reference: one matrix per lag, NaN for a missing or non-positive price', () => {
    const x = matrix(4, 2, Float64Array.from([1, 2, 2, NaN, 4, 0, 8, 4]));
    const [one, two] = logReturnsCpu(x, { lags: [1, 2] });
    const l2 = Math.log(2);
    expect(Array.from(one!.data)).toEqual([NaN, NaN, l2, NaN, l2, NaN, l2, NaN]);
    expect(Array.from(two!.data)).toEqual([NaN, NaN, NaN, NaN, 2 * l2, NaN, 2 * l2, Math.log(4 / NaN)]);
    expect(two!.data[7]).toBeNaN(); // 4 over a NaN two rows back
  });

  // lag 800 is longer than the matrix: all NaN
  const lags = [1, 5, 60, 800];
  const x = randomWalk(700, 5, 3, { holes: true });
  x.data[100 * 5 + 2] = -1; // a non-positive price
  const expected = logReturnsCpu(x, { lags });
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: abs. error < 1e-6)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const ys = await runKernel(b.runtime!, LogReturnsKernel, x, { lags }, 'tfjs');
      expect(ys).toHaveLength(lags.length);
      for (let k = 0; k < lags.length; k++) expect(maxRelativeError(ys[k]!, expected[k]!)).toBeLessThan(1e-6);
      expect(ys[3]!.data.every(Number.isNaN)).toBe(true);
    });
    it.skipIf(!b.runtime)(`tfjs on ${b.name} over 100-row chunks with a 60-row look-back equals the reference${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const saved = logReturnsLimits.chunkElements;
      logReturnsLimits.chunkElements = 160 * 5;
      try {
        const ys = await runKernel(b.runtime!, LogReturnsKernel, x, { lags: [1, 60] }, 'tfjs');
        expect(maxRelativeError(ys[0]!, expected[0]!)).toBeLessThan(1e-6);
        expect(maxRelativeError(ys[1]!, expected[2]!)).toBeLessThan(1e-6);
      } finally {
        logReturnsLimits.chunkElements = saved;
      }
    });
  }
});
