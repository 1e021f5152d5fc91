import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { AtrKernel, atrCpu } from './atr.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

/** High and low around a close random walk (the bar's range straddles a close that drifts from the previous one). */
function bars(close: Matrix): { high: Matrix; low: Matrix; close: Matrix } {
  const high = matrix(close.rows, close.cols);
  const low = matrix(close.rows, close.cols);
  for (let i = 0; i < close.data.length; i++) {
    const c = close.data[i]!;
    high.data[i] = c * (1 + 0.004 * (1 + Math.sin(i)));
    low.data[i] = c * (1 - 0.004 * (1 + Math.cos(i)));
  }
  return { high, low, close };
}

describe('Atr', () => {
  it('reference: true ranges with gaps, Wilder smoothing by hand, NaN rows skipped', () => {
    const hlc = {
      high: matrix(4, 1, Float64Array.from([4, 4, NaN, 6])),
      low: matrix(4, 1, Float64Array.from([1, 3, NaN, 5])),
      close: matrix(4, 1, Float64Array.from([2, 3.5, NaN, 5.5])),
    };
    const y = atrCpu(hlc, { window: 2 });
    const a = 1 / 2;
    const tr0 = 4 - 1; // no previous close: high - low
    const tr1 = Math.max(4, 2) - Math.min(3, 2); // gap down from the close at 2: 2, not high - low = 1
    const tr3 = 6 - 5; // previous close missing: high - low
    const atr1 = tr0 + a * (tr1 - tr0);
    const atr3 = atr1 + a * (tr3 - atr1);
    expect([atr1, atr3]).toEqual([2.5, 1.75]);
    expect(Array.from(y.data)).toEqual([NaN, atr1, NaN, atr3]);
  });

  it('reference: rejects matrices of different shapes', () => {
    const m = matrix(2, 1);
    expect(() => atrCpu({ high: m, low: m, close: matrix(3, 1) }, { window: 2 })).toThrow(/one shape/);
  });

  const hlc = bars(randomWalk(700, 5, 3, { holes: true }));
  for (const window of [1, 14]) {
    const expected = atrCpu(hlc, { window });
    for (const b of backends) {
      it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference, window ${window} (float32: rel. error < 1e-5)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, AtrKernel, hlc, { window }, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-5);
      });
    }
  }
});
