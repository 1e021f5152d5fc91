/** LogReturns: ln(x_t / x_{t-lag}) per column, one matrix per lag; NaN where either price is NaN or not > 0. */
import type { Tensor } from '@tensorflow/tfjs';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { LogReturns as NAME } from '../names.ts';
import type { Tf } from '../runtime/tfjs.ts';
import { chunkRows, fromFloat32 } from './util.ts';

export interface LagParams {
  /** each >= 1 */
  readonly lags: readonly number[];
}

/** float32 input elements per chunk of rows (each chunk carries max(lags) rows of look-back); tests lower it. */
export const logReturnsLimits = { chunkElements: 1 << 22 };

function checkLags(lags: readonly number[]): void {
  for (const lag of lags) if (!Number.isInteger(lag) || lag < 1) throw new Error(`LogReturns lags must be integers >= 1, got ${lag}`);
}

/** Reference: one pass per lag over the Float64 prices. */
export function logReturnsCpu(x: Matrix, { lags }: LagParams): Matrix[] {
  checkLags(lags);
  const { rows, cols, data } = x;
  return lags.map((lag) => {
    const out = nanMatrix(rows, cols);
    for (let i = lag * cols; i < rows * cols; i++) {
      const now = data[i]!;
      const then = data[i - lag * cols]!;
      if (now > 0 && then > 0) out.data[i] = Math.log(now / then);
    }
    return out;
  });
}

/** ln(now / then) where both are > 0 (NaN is tested apart: backends differ on comparisons with NaN). Inside tf.tidy. */
export function logRatioTf(tf: Tf, now: Tensor, then: Tensor): Tensor {
  const valid = (v: Tensor) => tf.logicalAnd(tf.logicalNot(tf.isNaN(v)), tf.greater(v, 0));
  const ok = tf.logicalAnd(valid(now), valid(then));
  const one = tf.onesLike(now);
  const ratio = tf.div(tf.where(ok, now, one), tf.where(ok, then, one));
  return tf.where(ok, tf.log(ratio), tf.fill(now.shape, NaN));
}

export const LogReturnsKernel: Kernel<Matrix, LagParams, Matrix[]> = registerKernel({
  name: NAME,
  size: (x, { lags }) => x.rows * x.cols * lags.length,
  cpu: logReturnsCpu,
  // the ratio of two float32 prices, then its log: absolute error ~2e-7 (float32 rounding of each price)
  async tfjs(tf, x, { lags }) {
    checkLags(lags);
    const outs = lags.map(() => nanMatrix(x.rows, x.cols));
    const halo = Math.max(0, ...lags);
    for (const chunk of chunkRows(x, halo, Math.max(logReturnsLimits.chunkElements, (halo + 1) * x.cols))) {
      const n = chunk.rows - chunk.firstRow; // output rows of this chunk
      const results = tf.tidy(() => {
        const prices = tf.tensor2d(chunk.data, [chunk.rows, x.cols]);
        return lags.map((lag) => {
          // output rows with a price `lag` rows back inside the chunk (the matrix's first `lag` rows have none)
          const from = Math.max(chunk.firstRow, lag);
          if (from >= chunk.rows) return undefined;
          const now = tf.slice(prices, [from, 0], [chunk.rows - from, x.cols]);
          const then = tf.slice(prices, [from - lag, 0], [chunk.rows - from, x.cols]);
          return logRatioTf(tf, now, then);
        });
      });
      for (let k = 0; k < lags.length; k++) {
        const r = results[k];
        if (r === undefined) continue;
        const values = (await r.data()) as Float32Array;
        r.dispose();
        const firstOut = chunk.outStart + n - r.shape[0];
        fromFloat32(values, outs[k]!.data, firstOut * x.cols);
      }
    }
    return outs;
  },
});
