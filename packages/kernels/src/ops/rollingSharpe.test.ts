import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, maxRelativeError, nanMatrix } from '../matrix.ts';
import { testBackends, SmallBindings, withTfjsChunk } from '../testing.ts';
import { type RollingSharpeResult, RollingSharpeKernel, rollingSharpeCpu } from './rollingSharpe.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();


/** Per-bar simple returns of random-walk prices (agents as columns): NaN on the first bar and around holes. */
function returns(rows: number, cols: number, seed: number): Matrix {
  const p = randomWalk(rows + 1, cols, seed, { holes: true });
  const r = nanMatrix(rows, cols);
  for (let i = 0; i < r.data.length; i++) r.data[i] = p.data[i + cols]! / p.data[i]! - 1;
  return r;
}

/** O(rows x window) mean, sample std and their ratio, the definition itself. */
function naiveSharpe(r: Matrix, window: number): RollingSharpeResult {
  const mean = nanMatrix(r.rows, r.cols);
  const std = nanMatrix(r.rows, r.cols);
  const sharpe = nanMatrix(r.rows, r.cols);
  for (let c = 0; c < r.cols; c++) {
    for (let t = window - 1; t < r.rows; t++) {
      const w = Array.from({ length: window }, (_, k) => r.data[(t - k) * r.cols + c]!);
      if (w.some(Number.isNaN)) continue;
      const i = t * r.cols + c;
      mean.data[i] = w.reduce((a, b) => a + b, 0) / window;
      std.data[i] = Math.sqrt(w.reduce((a, b) => a + (b - mean.data[i]!) ** 2, 0) / (window - 1));
      if (std.data[i]! > 0) sharpe.data[i] = mean.data[i]! / std.data[i]!;
    }
  }
  return { mean, std, sharpe };
}

function worstError(a: RollingSharpeResult, b: RollingSharpeResult): number {
  return Math.max(maxRelativeError(a.mean, b.mean), maxRelativeError(a.std, b.std), maxRelativeError(a.sharpe, b.sharpe));
}

// column 0: a NaN at row 3 blanks rows 3..5; column 1: constant stretches (std 0) give a mean, std 0 and no sharpe
const tiny = { rows: 8, cols: 2, data: Float64Array.from([1, -2, 2, -2, 4, -2, NaN, -2, 3, -5, 5, -5, 7, -5, 7, -8]) };
const S3 = Math.sqrt(3);
const tinyMean = [NaN, NaN, NaN, NaN, 7 / 3, -2, NaN, -2, NaN, -3, NaN, -4, 5, -5, 19 / 3, -6];
const tinyStd = [NaN, NaN, NaN, NaN, Math.sqrt(7 / 3), 0, NaN, 0, NaN, S3, NaN, S3, 2, 0, 2 / S3, S3];
const tinySharpe = [NaN, NaN, NaN, NaN, Math.sqrt(7 / 3), NaN, NaN, NaN, NaN, -S3, NaN, -4 / S3, 2.5, NaN, (19 * S3) / 6, -2 * S3];

describe('RollingSharpe', () => {
  it('reference: hand-computed mean, sample std and sharpe; NaN while short, on a NaN, and sharpe NaN when std is 0', () => {
    const y = rollingSharpeCpu(tiny, { window: 3 });
    const close = (m: Matrix, want: number[]) =>
      m.data.forEach((v, i) => (Number.isNaN(want[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(want[i]!, 14)));
    close(y.mean, tinyMean);
    close(y.std, tinyStd);
    close(y.sharpe, tinySharpe);
  });

  it('reference: the sliding update equals the two-pass definition on long return series (rel. error < 1e-10)', () => {
    const r = returns(5000, 4, 11);
    expect(worstError(rollingSharpeCpu(r, { window: 50 }), naiveSharpe(r, 50))).toBeLessThan(1e-10);
  });

  it('rejects a window below 2 (a sample std needs two returns)', () => {
    expect(() => rollingSharpeCpu(tiny, { window: 1 })).toThrow(/window/);
  });

  const r = returns(700, 6, 3);
  const expected = rollingSharpeCpu(r, { window: 20 });
  for (const b of backends) {
    for (const impl of ['tfjs', 'webgpu'] as const) {
      if (impl === 'webgpu' && b.name !== 'webgpu') continue;
      it.skipIf(!b.runtime)(`${impl} on ${b.name} equals the reference${impl === 'tfjs' ? ', whole and in chunks' : ''} (float32: rel. error < 1e-4)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const y = await runKernel(b.runtime!, RollingSharpeKernel, r, { window: 20 }, impl);
        expect(worstError(y, expected)).toBeLessThan(1e-4);
        const small = await runKernel(b.runtime!, RollingSharpeKernel, tiny, { window: 3 }, impl);
        expect(worstError(small, rollingSharpeCpu(tiny, { window: 3 }))).toBeLessThan(1e-6);
        if (impl === 'tfjs') {
          await withTfjsChunk(20 * 6 * 37, async () => {
            const chunked = await runKernel(b.runtime!, RollingSharpeKernel, r, { window: 20 }, 'tfjs');
            expect(worstError(chunked, expected)).toBeLessThan(1e-4);
          });
        }
      });
    }
  }

  const gpu = backends.find((b) => b.name === 'webgpu')?.runtime?.gpu;
  it.skipIf(!gpu)('WGSL in chunks (small storage bindings) equals one unchunked dispatch exactly', async () => {
    const whole = await RollingSharpeKernel.webgpu!(gpu!, r, { window: 20 });
    const chunked = await RollingSharpeKernel.webgpu!(new SmallBindings(gpu!, 6 * (19 + 37)), r, { window: 20 });
    for (const key of ['mean', 'std', 'sharpe'] as const) expect(Array.from(chunked[key].data)).toEqual(Array.from(whole[key].data));
  });
});
