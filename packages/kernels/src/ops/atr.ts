/** Atr: Wilder-smoothed true range per column, from high, low and close matrices of the same shape. */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { Atr as NAME } from '../names.ts';
import { emaChunkTf, emaStart, scanChunks, scanRowsPerChunk } from './ema.ts';

export interface Hlc {
  readonly high: Matrix;
  readonly low: Matrix;
  readonly close: Matrix;
}

export interface AtrParams {
  /** Wilder smoothing alpha = 1 / window; also the number of true ranges before the first output */
  readonly window: number;
}

function check({ high, low, close }: Hlc, window: number): void {
  if (!Number.isInteger(window) || window < 1) throw new Error(`Atr window must be an integer >= 1, got ${window}`);
  for (const m of [low, close]) {
    if (m.rows !== high.rows || m.cols !== high.cols) throw new Error(`Atr needs high, low, close of one shape: ${high.rows}x${high.cols} vs ${m.rows}x${m.cols}`);
  }
}

/**
 * True range = max(high, prevClose) - min(low, prevClose) = max(high - ref, 0) + max(ref - low, 0), with ref the
 * previous row's close, or low when that is missing (first row, NaN): then it is high - low. NaN when high or low
 * is NaN. Writes the two Float64 differences (high - ref, ref - low) per cell, the form both implementations use.
 */
function rangeParts({ high, low, close }: Hlc, i: number): [number, number] {
  const h = high.data[i]!;
  const l = low.data[i]!;
  const prev = i >= high.cols ? close.data[i - high.cols]! : NaN;
  const ref = prev === prev ? prev : l;
  return [h - ref, ref - l];
}

/** Reference: the true range smoothed like Ema with alpha = 1/window (skip on NaN), NaN until `window` were seen. */
export function atrCpu(hlc: Hlc, { window }: AtrParams): Matrix {
  check(hlc, window);
  const { rows, cols } = hlc.high;
  const alpha = 1 / window;
  const out = nanMatrix(rows, cols);
  for (let c = 0; c < cols; c++) {
    let atr = 0;
    let seen = 0;
    for (let t = 0; t < rows; t++) {
      const [up, down] = rangeParts(hlc, t * cols + c);
      if (up !== up || down !== down) continue;
      const tr = Math.max(up, 0) + Math.max(down, 0);
      atr = seen === 0 ? tr : atr + alpha * (tr - atr);
      seen++;
      if (seen >= window) out.data[t * cols + c] = atr;
    }
  }
  return out;
}

export const AtrKernel: Kernel<Hlc, AtrParams, Matrix> = registerKernel({
  name: NAME,
  size: (hlc) => hlc.high.rows * hlc.high.cols,
  cpu: atrCpu,
  // The two differences are taken in Float64 while converting (float32 prices would lose their digits); the true
  // range and its Wilder smoothing (blocked EMA scan) run in float32: relative error ~1e-6.
  async tfjs(tf, hlc, { window }) {
    check(hlc, window);
    const { rows, cols } = hlc.high;
    const alpha = 1 / window;
    const out = nanMatrix(rows, cols);
    await scanChunks(
      tf,
      rows,
      scanRowsPerChunk(cols),
      emaStart(tf, cols),
      (from, to, carry) => {
        const up = new Float32Array((to - from) * cols);
        const down = new Float32Array((to - from) * cols);
        for (let i = 0, j = from * cols; j < to * cols; i++, j++) [up[i], down[i]] = rangeParts(hlc, j);
        const upT = tf.tensor2d(up, [to - from, cols]);
        const downT = tf.tensor2d(down, [to - from, cols]);
        const missing = tf.logicalOr(tf.isNaN(upT), tf.isNaN(downT));
        const zero = tf.zerosLike(upT);
        const tr = tf.add(tf.relu(tf.where(missing, zero, upT)), tf.relu(tf.where(missing, zero, downT)));
        const nan = tf.fill(tr.shape, NaN);
        const atr = emaChunkTf(tf, tf.where(missing, nan, tr), alpha, carry);
        return { outputs: [tf.where(tf.less(atr.seen, window), nan, atr.value)], carry: atr.carry };
      },
      (from, _to, [atr]) => out.data.set(atr!, from * cols),
    );
    return out;
  },
});
