import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, matrix } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { RealizedVolKernel, realizedVolCpu, realizedVolLimits } from './realizedVol.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

/** Largest |a - b| / |b| (volatilities are small: an error relative to 1 would say nothing); NaN must match NaN. */
function maxVolError(a: Matrix, b: Matrix): number {
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), 1e-12));
  }
  return worst;
}

describe('RealizedVol', () => {
  it('reference: sample std of log returns by hand, NaN while short or holding a NaN', () => {
    const e = Math.E;
    // returns: 1, -1, 2, NaN, NaN, 0.5
    const x = matrix(7, 1, Float64Array.from([1, e, 1, e * e, NaN, e, e ** 1.5]));
    const y = realizedVolCpu(x, { window: 2 });
    const sd = (a: number, b: number) => Math.abs(a - b) / Math.SQRT2; // sample std of two values
    expect(y.data[0]).toBeNaN();
    expect(y.data[1]).toBeNaN();
    expect(y.data[2]).toBeCloseTo(sd(1, -1), 14);
    expect(y.data[3]).toBeCloseTo(sd(-1, 2), 14);
    expect([y.data[4], y.data[5]]).toEqual([NaN, NaN]);
    expect(y.data[6]).toBeNaN(); // the return at row 5 is NaN (from a NaN price)
    const three = realizedVolCpu(matrix(4, 1, Float64Array.from([1, e, e, e ** 4])), { window: 3 });
    // returns 1, 0, 3: mean 4/3, sample variance ((1/3)^2 + (4/3)^2 + (5/3)^2) / 2 = 7/3
    expect(three.data[3]).toBeCloseTo(Math.sqrt(7 / 3), 14);
  });

  const x = randomWalk(700, 5, 3, { holes: true });
  x.data[200 * 5 + 3] = 0; // a non-positive price
  const expected = realizedVolCpu(x, { window: 20 });
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: rel. error < 1e-4 of the volatility)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, RealizedVolKernel, x, { window: 20 }, 'tfjs');
      expect(maxVolError(y, expected)).toBeLessThan(1e-4);
    });
    it.skipIf(!b.runtime)(`tfjs on ${b.name} over 100-row chunks equals the reference${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const saved = realizedVolLimits.chunkElements;
      realizedVolLimits.chunkElements = 119 * 5;
      try {
        const y = await runKernel(b.runtime!, RealizedVolKernel, x, { window: 20 }, 'tfjs');
        expect(maxVolError(y, expected)).toBeLessThan(1e-4);
      } finally {
        realizedVolLimits.chunkElements = saved;
      }
    });
  }
});
