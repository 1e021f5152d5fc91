import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, maxRelativeError, nanMatrix } from '../matrix.ts';
import { testBackends, SmallBindings, withTfjsChunk } from '../testing.ts';
import { RollingZScoreKernel, rollingZScoreCpu } from './rollingZScore.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();


/** O(rows x window) two-pass z-score, the definition itself. */
function naiveZ(x: Matrix, window: number): Matrix {
  const out = nanMatrix(x.rows, x.cols);
  for (let c = 0; c < x.cols; c++) {
    for (let t = window - 1; t < x.rows; t++) {
      const w = Array.from({ length: window }, (_, k) => x.data[(t - k) * x.cols + c]!);
      if (w.some(Number.isNaN)) continue;
      const mean = w.reduce((a, b) => a + b, 0) / window;
      const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / window);
      if (std > 0) out.data[t * x.cols + c] = (w[0]! - mean) / std;
    }
  }
  return out;
}

// column 0: a NaN at row 3 blanks rows 3..5; column 1: constant stretches (std 0) give NaN
const tiny = { rows: 8, cols: 2, data: Float64Array.from([1, 2, 2, 2, 4, 2, NaN, 2, 3, 5, 5, 5, 7, 5, 7, 8]) };
const tinyZ = [NaN, NaN, NaN, NaN, 5 / Math.sqrt(14), NaN, NaN, NaN, NaN, Math.SQRT2, NaN, Math.SQRT1_2, Math.sqrt(1.5), NaN, Math.SQRT1_2, Math.SQRT2];

describe('RollingZScore', () => {
  it('reference: hand-computed z-scores, NaN while the window is short, holds a NaN or has std 0', () => {
    const y = rollingZScoreCpu(tiny, { window: 3 });
    y.data.forEach((v, i) => (Number.isNaN(tinyZ[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(tinyZ[i]!, 14)));
  });

  it('reference: the sliding update equals the two-pass definition on a long walk (rel. error < 1e-9)', () => {
    const x = randomWalk(5000, 3, 11, { holes: true });
    expect(maxRelativeError(rollingZScoreCpu(x, { window: 50 }), naiveZ(x, 50))).toBeLessThan(1e-9);
  });

  const x = randomWalk(700, 5, 3, { holes: true });
  const expected = rollingZScoreCpu(x, { window: 20 });
  for (const b of backends) {
    for (const impl of ['tfjs', 'webgpu'] as const) {
      if (impl === 'webgpu' && b.name !== 'webgpu') continue;
      it.skipIf(!b.runtime)(`${impl} on ${b.name} equals the reference${impl === 'tfjs' ? ', whole and in chunks' : ''} (float32: rel. error < 1e-4)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, RollingZScoreKernel, x, { window: 20 }, impl);
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-4);
        const small = await runKernel(b.runtime!, RollingZScoreKernel, tiny, { window: 3 }, impl);
        expect(maxRelativeError(small, rollingZScoreCpu(tiny, { window: 3 }))).toBeLessThan(1e-6);
        if (impl === 'tfjs') {
          await withTfjsChunk(20 * 5 * 37, async () => {
            const chunked = await runKernel(b.runtime!, RollingZScoreKernel, x, { window: 20 }, 'tfjs');
            expect(maxRelativeError(chunked, expected)).toBeLessThan(1e-4);
          });
        }
      });
    }
  }

  const gpu = backends.find((b) => b.name === 'webgpu')?.runtime?.gpu;
  it.skipIf(!gpu)('WGSL in chunks (small storage bindings) equals one unchunked dispatch exactly', async () => {
    const whole = await RollingZScoreKernel.webgpu!(gpu!, x, { window: 20 });
    const chunked = await RollingZScoreKernel.webgpu!(new SmallBindings(gpu!, 5 * (19 + 37)), x, { window: 20 });
    expect(Array.from(chunked.data)).toEqual(Array.from(whole.data));
  });
});
