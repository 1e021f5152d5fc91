import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, maxRelativeError, nanMatrix } from '../matrix.ts';
import { testBackends, SmallBindings, withTfjsChunk } from '../testing.ts';
import { RollingStdKernel, rollingStdCpu } from './rollingStd.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();


/** O(rows x window) two-pass population std, the definition itself. */
function naiveStd(x: Matrix, window: number): Matrix {
  const out = nanMatrix(x.rows, x.cols);
  for (let c = 0; c < x.cols; c++) {
    for (let t = window - 1; t < x.rows; t++) {
      const w = Array.from({ length: window }, (_, k) => x.data[(t - k) * x.cols + c]!);
      if (w.some(Number.isNaN)) continue;
      const mean = w.reduce((a, b) => a + b, 0) / window;
      out.data[t * x.cols + c] = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / window);
    }
  }
  return out;
}

// column 0: a NaN at row 3 blanks rows 3..5; column 1: constant stretches give std exactly 0
const tiny = { rows: 8, cols: 2, data: Float64Array.from([1, 2, 2, 2, 4, 2, NaN, 2, 3, 5, 5, 5, 7, 5, 7, 8]) };
const tinyStd = [NaN, NaN, NaN, NaN, Math.sqrt(14) / 3, 0, NaN, 0, NaN, Math.SQRT2, NaN, Math.SQRT2, Math.sqrt(8 / 3), 0, Math.sqrt(8) / 3, Math.SQRT2];

describe('RollingStd', () => {
  it('reference: hand-computed population std, NaN while the window is short or holds a NaN, exact 0 on a constant window', () => {
    const y = rollingStdCpu(tiny, { window: 3 });
    y.data.forEach((v, i) => (Number.isNaN(tinyStd[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(tinyStd[i]!, 14)));
    expect(y.data[5]).toBe(0);
    expect(y.data[13]).toBe(0);
  });

  it('reference: the sliding update equals the two-pass definition on a long walk (rel. error < 1e-10)', () => {
    const x = randomWalk(5000, 3, 11, { holes: true });
    expect(maxRelativeError(rollingStdCpu(x, { window: 50 }), naiveStd(x, 50))).toBeLessThan(1e-10);
  });

  it('rejects a window that is not a positive integer', () => {
    expect(() => rollingStdCpu(tiny, { window: 0 })).toThrow(/window/);
    expect(() => rollingStdCpu(tiny, { window: 2.5 })).toThrow(/window/);
  });

  const x = randomWalk(700, 5, 3, { holes: true });
  const expected = rollingStdCpu(x, { window: 20 });
  for (const b of backends) {
    for (const impl of ['tfjs', 'webgpu'] as const) {
      if (impl === 'webgpu' && b.name !== 'webgpu') continue;
      it.skipIf(!b.runtime)(`${impl} on ${b.name} equals the reference${impl === 'tfjs' ? ', whole and in chunks' : ''} (float32: rel. error < 1e-4)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, RollingStdKernel, x, { window: 20 }, impl);
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-4);
        const small = await runKernel(b.runtime!, RollingStdKernel, tiny, { window: 3 }, impl);
        expect(maxRelativeError(small, rollingStdCpu(tiny, { window: 3 }))).toBeLessThan(1e-6);
        expect([small.data[5], small.data[13]]).toEqual([0, 0]);
        if (impl === 'tfjs') {
          await withTfjsChunk(20 * 5 * 37, async () => {
            const chunked = await runKernel(b.runtime!, RollingStdKernel, x, { window: 20 }, 'tfjs');
            expect(maxRelativeError(chunked, expected)).toBeLessThan(1e-4);
          });
        }
      });
    }
  }

  const gpu = backends.find((b) => b.name === 'webgpu')?.runtime?.gpu;
  it.skipIf(!gpu)('WGSL in chunks (small storage bindings) equals one unchunked dispatch exactly', async () => {
    const whole = await RollingStdKernel.webgpu!(gpu!, x, { window: 20 });
    const chunked = await RollingStdKernel.webgpu!(new SmallBindings(gpu!, 5 * (19 + 37)), x, { window: 20 });
    expect(Array.from(chunked.data)).toEqual(Array.from(whole.data));
  });
});
