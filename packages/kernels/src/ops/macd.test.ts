import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { MacdKernel, macdCpu } from './macd.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

describe('Macd', () => {
  it('reference: EMA(1) - EMA(3), its EMA(3) and the histogram, by hand', () => {
    const x = matrix(4, 1, Float64Array.from([2, 4, NaN, 8]));
    const { macd, signal, histogram } = macdCpu(x, { fast: 1, slow: 3, signal: 3 });
    // slow (alpha 0.5): 2, 3, -, 5.5; fast is the close itself
    expect(Array.from(macd.data)).toEqual([0, 1, NaN, 2.5]);
    // signal (alpha 0.5) of 0, 1, -, 2.5: 0, 0.5, -, 1.5
    expect(Array.from(signal.data)).toEqual([0, 0.5, NaN, 1.5]);
    expect(Array.from(histogram.data)).toEqual([0, 0.5, NaN, 1]);
  });

  const x = randomWalk(700, 5, 3, { holes: true });
  const params = { fast: 12, slow: 26, signal: 9 };
  const expected = macdCpu(x, params);
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: error < 2e-5 of max(1, |value|))${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, MacdKernel, x, params, 'tfjs');
      expect(maxRelativeError(y.macd, expected.macd)).toBeLessThan(2e-5);
      expect(maxRelativeError(y.signal, expected.signal)).toBeLessThan(2e-5);
      expect(maxRelativeError(y.histogram, expected.histogram)).toBeLessThan(2e-5);
    });
  }
});
