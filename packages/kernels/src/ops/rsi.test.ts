import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { RsiKernel, rsiCpu } from './rsi.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

describe('Rsi', () => {
  it('reference: Wilder smoothing by hand, NaN changes skipped, 50 when flat', () => {
    // column 0 changes: +1, -0.5, NaN, NaN, +0.5; column 1 never moves
    const x = matrix(6, 2, Float64Array.from([1, 5, 2, 5, 1.5, 5, NaN, 5, 2.5, 5, 3, 5]));
    const y = rsiCpu(x, { window: 2 });
    const a = 1 / 2;
    let gain = 1; // seeded with the first change
    let loss = 0;
    gain += a * (0 - gain); // -0.5: gain 0.5, loss 0.25
    loss += a * (0.5 - loss);
    const atRow2 = (100 * gain) / (gain + loss);
    gain += a * (0.5 - gain); // +0.5: gain 0.5, loss 0.125
    loss += a * (0 - loss);
    const atRow5 = (100 * gain) / (gain + loss);
    expect(atRow2).toBeCloseTo(200 / 3, 12);
    expect(atRow5).toBe(80);
    expect(Array.from(y.data)).toEqual([NaN, NaN, NaN, NaN, atRow2, 50, NaN, 50, NaN, 50, atRow5, 50]);
  });

  const x = randomWalk(700, 5, 3, { holes: true });
  for (const window of [2, 14]) {
    const expected = rsiCpu(x, { window });
    for (const b of backends) {
      it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference, window ${window} (float32: rel. error < 1e-5)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, RsiKernel, x, { window }, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-5);
      });
    }
  }
});
