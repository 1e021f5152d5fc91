/** RealizedVol: sample std of the last `window` one-bar log returns per column (per bar, not annualised). */
import type { Tensor } from '@tensorflow/tfjs';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { RealizedVol as NAME } from '../names.ts';
import type { Tf } from '../runtime/tfjs.ts';
import { ones01 } from './ema.ts';
import { fromFloat32 } from './util.ts';

export interface VolParams {
  /** returns per window, >= 2 (the first output is at row `window`) */
  readonly window: number;
}

/** float32 elements of returns per chunk of rows (each chunk carries window - 1 rows of look-back); tests lower it. */
export const realizedVolLimits = { chunkElements: 1 << 22 };

function checkWindow(window: number): void {
  if (!Number.isInteger(window) || window < 2) throw new Error(`RealizedVol window must be an integer >= 2, got ${window}`);
}

/** ln(close_t / close_{t-1}) at flat index i (row >= 1), NaN when either price is NaN or not > 0. */
function logReturnAt(data: Float64Array, cols: number, i: number): number {
  const now = data[i]!;
  const then = data[i - cols]!;
  return now > 0 && then > 0 ? Math.log(now / then) : NaN;
}

/**
 * Reference: sliding sums of the returns less the column's first return (so the sums of squares hold the
 * variance, not the drift) and a count of NaNs in the window; NaN while the window is short or holds a NaN.
 */
export function realizedVolCpu(close: Matrix, { window }: VolParams): Matrix {
  checkWindow(window);
  const { rows, cols, data } = close;
  const out = nanMatrix(rows, cols);
  const r = new Float64Array(rows);
  for (let c = 0; c < cols; c++) {
    let shift = NaN;
    for (let t = 1; t < rows; t++) {
      r[t] = logReturnAt(data, cols, t * cols + c);
      if (shift !== shift) shift = r[t]!;
    }
    if (shift !== shift) continue;
    let sum = 0;
    let sumSq = 0;
    let nans = 0;
    for (let t = 1; t < rows; t++) {
      const v = r[t]! - shift;
      if (v !== v) nans++;
      else {
        sum += v;
        sumSq += v * v;
      }
      if (t > window) {
        const old = r[t - window]! - shift;
        if (old !== old) nans--;
        else {
          sum -= old;
          sumSq -= old * old;
        }
      }
      if (t >= window && nans === 0) out.data[t * cols + c] = Math.sqrt(Math.max(0, (sumSq - (sum * sum) / window) / (window - 1)));
    }
  }
  return out;
}

/**
 * Rolling sample std over `window` rows of a [n, cols] tensor of returns, via avgPool of the returns and their
 * squares after subtracting each column's mean over the chunk (no drift left to cancel in float32). NaNs are pooled
 * apart as a mask (wasm drops NaN in pooling). Output [n - window + 1, cols]. Call inside tf.tidy.
 */
export function rollingStdTf(tf: Tf, r: Tensor, window: number): Tensor {
  const [n = 0, cols = 0] = r.shape;
  const missing = tf.isNaN(r);
  const present = ones01(tf, tf.logicalNot(missing));
  const zeroed = tf.where(missing, tf.zerosLike(r), r);
  const mean = tf.div(tf.sum(zeroed, 0), tf.maximum(tf.sum(present, 0), 1));
  const a = tf.mul(tf.sub(zeroed, mean), present);
  const pool = (m: Tensor) => tf.reshape(tf.avgPool(m.as4D(1, n, cols, 1), [window, 1], 1, 'valid'), [n - window + 1, cols]);
  const m1 = pool(a);
  const m2 = pool(tf.mul(a, a));
  const variance = tf.mul(tf.relu(tf.sub(m2, tf.mul(m1, m1))), window / (window - 1));
  const anyMissing = tf.greater(pool(tf.sub(1, present)), 0);
  return tf.where(anyMissing, tf.fill([n - window + 1, cols], NaN), tf.sqrt(variance));
}

export const RealizedVolKernel: Kernel<Matrix, VolParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: realizedVolCpu,
  // Returns are taken in Float64 while converting (a float32 price ratio would carry ~1e-5 relative error into a
  // 1% return), then rollingStdTf in float32: relative error ~1e-5 of the volatility.
  async tfjs(tf, close, { window }) {
    checkWindow(window);
    const { rows, cols, data } = close;
    const out = nanMatrix(rows, cols);
    const outPerChunk = Math.max(1, Math.floor(realizedVolLimits.chunkElements / Math.max(1, cols)) - (window - 1));
    // output rows [from, to) need returns of rows [from - window + 1, to); returns start at row 1
    for (let from = window; from < rows; from += outPerChunk) {
      const to = Math.min(rows, from + outPerChunk);
      const first = from - window + 1;
      const r = new Float32Array((to - first) * cols);
      for (let i = 0, j = first * cols; j < to * cols; i++, j++) r[i] = logReturnAt(data, cols, j);
      const vol = tf.tidy(() => rollingStdTf(tf, tf.tensor2d(r, [to - first, cols]), window));
      const values = (await vol.data()) as Float32Array;
      vol.dispose();
      fromFloat32(values, out.data, from * cols);
    }
    return out;
  },
});
