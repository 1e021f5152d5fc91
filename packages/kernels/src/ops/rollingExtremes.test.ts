import { describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { runKernel } from '../dispatch.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { testBackends, SmallBindings, withTfjsChunk } from '../testing.ts';
import { RollingMaxKernel, RollingMinKernel, rollingMaxCpu, rollingMinCpu } from './rollingExtremes.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();


/** O(rows x window) extremes, the definition itself. */
function naive(x: Matrix, window: number, max: boolean): Matrix {
  const out = nanMatrix(x.rows, x.cols);
  for (let c = 0; c < x.cols; c++) {
    for (let t = window - 1; t < x.rows; t++) {
      const w = Array.from({ length: window }, (_, k) => x.data[(t - k) * x.cols + c]!);
      if (!w.some(Number.isNaN)) out.data[t * x.cols + c] = max ? Math.max(...w) : Math.min(...w);
    }
  }
  return out;
}

/** Small integers with many ties, monotone stretches (the deque fills) and scattered NaNs. */
function ties(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const m = nanMatrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) {
    const t = Math.floor(i / cols);
    m.data[i] = rng.next() < 0.02 ? NaN : t % 97 < 30 ? -t : t % 97 < 60 ? t : Math.floor(rng.next() * 5);
  }
  return m;
}

/** The reference rounded to float32: what an exact float32 backend must return bit for bit. */
const f32 = (m: Matrix) => Array.from(m.data, Math.fround);

// column 0: a NaN at row 3 blanks rows 3..5
const tiny = { rows: 8, cols: 2, data: Float64Array.from([1, 3, 2, 1, 4, 2, NaN, 2, 3, 5, 5, 4, 7, 3, 7, 8]) };

const cases = [
  { kernel: RollingMaxKernel, cpu: rollingMaxCpu, max: true, tiny: [NaN, NaN, NaN, NaN, 4, 3, NaN, 2, NaN, 5, NaN, 5, 7, 5, 7, 8] },
  { kernel: RollingMinKernel, cpu: rollingMinCpu, max: false, tiny: [NaN, NaN, NaN, NaN, 1, 1, NaN, 1, NaN, 2, NaN, 2, 3, 3, 5, 3] },
] as const;

for (const k of cases) {
  describe(k.kernel.name, () => {
    it('reference: hand-computed extremes, NaN while the window is short or holds a NaN', () => {
      expect(Array.from(k.cpu(tiny, { window: 3 }).data)).toEqual(k.tiny);
    });

    it('reference: the monotonic deque equals the definition exactly (ties, monotone runs, NaNs; windows 1..120)', () => {
      const x = ties(600, 3, 5);
      for (const window of [1, 2, 3, 7, 30, 120, 700]) expect(Array.from(k.cpu(x, { window }).data)).toEqual(Array.from(naive(x, window, k.max).data));
      const walk = randomWalk(700, 4, 9, { holes: true });
      expect(Array.from(k.cpu(walk, { window: 20 }).data)).toEqual(Array.from(naive(walk, 20, k.max).data));
    });

    const x = randomWalk(700, 5, 3, { holes: true });
    const withTies = ties(600, 3, 5);
    for (const b of backends) {
      for (const impl of ['tfjs', 'webgpu'] as const) {
        if (impl === 'webgpu' && b.name !== 'webgpu') continue;
        it.skipIf(!b.runtime)(`${impl} on ${b.name} equals the reference exactly (in float32)${impl === 'tfjs' ? ', whole and in chunks' : ''}${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
          for (const [input, window] of [[x, 20], [withTies, 7], [tiny, 3]] as const) {
            const y = await runKernel(b.runtime!, k.kernel, input, { window }, impl);
            expect(Array.from(y.data)).toEqual(f32(k.cpu(input, { window })));
          }
          if (impl === 'tfjs') {
            await withTfjsChunk(5 * (19 + 37), async () => {
              const chunked = await runKernel(b.runtime!, k.kernel, x, { window: 20 }, 'tfjs');
              expect(Array.from(chunked.data)).toEqual(f32(k.cpu(x, { window: 20 })));
            });
          }
        });
      }
    }

    const gpu = backends.find((b) => b.name === 'webgpu')?.runtime?.gpu;
    it.skipIf(!gpu)('WGSL in chunks (small storage bindings) equals one unchunked dispatch exactly', async () => {
      const whole = await k.kernel.webgpu!(gpu!, x, { window: 20 });
      const chunked = await k.kernel.webgpu!(new SmallBindings(gpu!, 5 * (19 + 37)), x, { window: 20 });
      expect(Array.from(chunked.data)).toEqual(Array.from(whole.data));
    });
  });
}
