/** RollingMax / RollingMin (Donchian channel): the extreme of the last `window` rows of each column; NaN while the window is short or holds a NaN. Exact on every backend. */
import type * as tfjs from '@tensorflow/tfjs';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { RollingMax, RollingMin } from '../names.ts';
import type { Tf } from '../runtime/tfjs.ts';
import type { WindowParams } from './rollingMean.ts';
import { WGSL_MAX_LOOP, checkWindow, runWindowShader, tfjsByChunks, wgslWindowShader } from './rollingStd.ts';
import { tfjsChunkElements } from './util.ts';

/**
 * Reference, O(1) amortised per cell: a monotonic deque of row indices per column (a ring buffer, allocated once).
 * A NaN empties the deque: every window that holds it is NaN, and later windows start after it.
 */
function rollingExtremeCpu(x: Matrix, window: number, max: boolean): Matrix {
  const { rows, cols, data } = x;
  const out = nanMatrix(rows, cols);
  const ring = new Int32Array(window);
  for (let c = 0; c < cols; c++) {
    let head = 0; // ring position of the front (the extreme)
    let size = 0;
    let lastNan = -Infinity;
    for (let t = 0; t < rows; t++) {
      const v = data[t * cols + c]!;
      if (v !== v) {
        lastNan = t;
        size = 0;
        continue;
      }
      // drop from the front what left the window (before the push: the ring holds `window` indices at most),
      // then from the back what v dominates
      if (size > 0 && ring[head]! <= t - window) {
        head = (head + 1) % window;
        size--;
      }
      while (size > 0) {
        const back = data[ring[(head + size - 1) % window]! * cols + c]!;
        if (max ? back > v : back < v) break;
        size--;
      }
      ring[(head + size) % window] = t;
      size++;
      if (t >= window - 1 && t - lastNan >= window) out.data[t * cols + c] = data[ring[head]! * cols + c]!;
    }
  }
  return out;
}

export function rollingMaxCpu(x: Matrix, { window }: WindowParams): Matrix {
  checkWindow(RollingMax, window);
  return rollingExtremeCpu(x, window, true);
}

export function rollingMinCpu(x: Matrix, { window }: WindowParams): Matrix {
  checkWindow(RollingMin, window);
  return rollingExtremeCpu(x, window, false);
}

/**
 * maxPool over [1, rows, cols, 1] with a [window, 1] filter (min as -maxPool(-x): negation is exact). Backends
 * differ on NaN inside pooling (wasm drops it), so NaNs are pooled apart as a mask and put back explicitly.
 */
async function rollingExtremeTfjs(tf: Tf, x: Matrix, window: number, max: boolean): Promise<Matrix> {
  const rowsPerChunk = Math.floor(tfjsChunkElements() / Math.max(1, x.cols)) - (window - 1);
  const [y] = await tfjsByChunks(tf, x, window, rowsPerChunk, 1, (chunk, outRows) => {
    const raw = chunk.reshape([1, outRows + window - 1, x.cols, 1]) as tfjs.Tensor4D;
    const missing = tf.isNaN(raw);
    const clean = tf.where(missing, tf.zerosLike(raw), raw);
    const pooled = max ? tf.maxPool(clean, [window, 1], 1, 'valid') : tf.maxPool(clean.neg(), [window, 1], 1, 'valid').neg();
    const anyMissing = tf.maxPool(tf.cast(missing, 'float32'), [window, 1], 1, 'valid').greater(0);
    return [tf.where(anyMissing, tf.fill(pooled.shape, NaN), pooled).reshape([outRows, x.cols])];
  });
  return y!;
}

function wgsl(max: boolean): string {
  return wgslWindowShader(
    1,
    '',
    /* wgsl */ `
  var m = x[t * p.cols + c];
  for (var k = 0u; k < p.window; k++) {
    let v = x[(t - k) * p.cols + c];
    if (isNan(v)) { y0[i] = p.nan; return; }
    m = ${max ? 'max' : 'min'}(m, v);
  }
  y0[i] = m;`,
  );
}

function extremeKernel(name: string, max: boolean, cpu: (x: Matrix, params: WindowParams) => Matrix): Kernel<Matrix, WindowParams, Matrix> {
  const code = wgsl(max);
  return registerKernel({
    name,
    size: (x) => x.rows * x.cols,
    cpu,
    tfjs(tf, x, params) {
      checkWindow(name, params.window);
      return rollingExtremeTfjs(tf, x, params.window, max);
    },
    async webgpu(gpu, x, params) {
      checkWindow(name, params.window);
      // `window` iterations must stay under the adapter's loop limit; longer windows run on the CPU
      if (params.window > WGSL_MAX_LOOP) return cpu(x, params);
      const [y] = await runWindowShader(gpu, name, code, x, params.window, 1);
      return y!;
    },
  });
}

export const RollingMaxKernel = extremeKernel(RollingMax, true, rollingMaxCpu);
export const RollingMinKernel = extremeKernel(RollingMin, false, rollingMinCpu);
