/** RollingCorrelation of each column with a reference column, and RollingCovariance matrices at chosen rows. */
import type { Tensor } from '@tensorflow/tfjs';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { RollingCorrelation as CORRELATION, RollingCovariance as COVARIANCE } from '../names.ts';
import { ones01 } from './ema.ts';
import { chunkRows, fromFloat32 } from './util.ts';

export interface CorrelationParams {
  /** rows per window, >= 2 */
  readonly window: number;
  /** the column every column is correlated with (e.g. the market) */
  readonly ref: number;
}

export interface CovarianceParams {
  /** rows per window, >= 2 */
  readonly window: number;
  /** rows at which the window ends */
  readonly rows: readonly number[];
}

/** float32 elements per chunk of rows (correlation) or of stacked windows (covariance); tests lower them. */
export const correlationLimits = { chunkElements: 1 << 22 };

function checkWindow(kernel: string, window: number): void {
  if (!Number.isInteger(window) || window < 2) throw new Error(`${kernel} window must be an integer >= 2, got ${window}`);
}

function checkCorrelation(x: Matrix, { window, ref }: CorrelationParams): void {
  checkWindow(CORRELATION, window);
  if (!Number.isInteger(ref) || ref < 0 || ref >= x.cols) throw new Error(`RollingCorrelation ref must be a column in [0, ${x.cols}), got ${ref}`);
}

/**
 * Reference: sliding sums of a = x_c - shift_c, b = x_ref - shift_ref (shift: the column's first value, so the
 * sums of squares hold the variance rather than the level) and of a^2, b^2, ab, with a count of rows where either
 * is NaN. NaN while the window is short, holds a NaN in either column, or either variance is 0.
 */
export function rollingCorrelationCpu(x: Matrix, params: CorrelationParams): Matrix {
  checkCorrelation(x, params);
  const { window, ref } = params;
  const { rows, cols, data } = x;
  const out = nanMatrix(rows, cols);
  const firstOf = (c: number) => {
    for (let t = 0; t < rows; t++) if (data[t * cols + c]! === data[t * cols + c]!) return data[t * cols + c]!;
    return 0;
  };
  const shiftRef = firstOf(ref);
  for (let c = 0; c < cols; c++) {
    const shift = firstOf(c);
    let sa = 0;
    let sb = 0;
    let saa = 0;
    let sbb = 0;
    let sab = 0;
    let nans = 0;
    const add = (t: number, sign: number) => {
      const a = data[t * cols + c]! - shift;
      const b = data[t * cols + ref]! - shiftRef;
      if (a !== a || b !== b) {
        nans += sign;
        return;
      }
      sa += sign * a;
      sb += sign * b;
      saa += sign * a * a;
      sbb += sign * b * b;
      sab += sign * a * b;
    };
    for (let t = 0; t < rows; t++) {
      add(t, 1);
      if (t >= window) add(t - window, -1);
      if (t < window - 1 || nans > 0) continue;
      const va = saa - (sa * sa) / window;
      const vb = sbb - (sb * sb) / window;
      if (va > 0 && vb > 0) out.data[t * cols + c] = (sab - (sa * sb) / window) / Math.sqrt(va * vb);
    }
  }
  return out;
}

function checkCovariance(x: Matrix, { window, rows }: CovarianceParams): void {
  checkWindow(COVARIANCE, window);
  for (const t of rows) if (!Number.isInteger(t) || t < 0 || t >= x.rows) throw new Error(`RollingCovariance rows must be in [0, ${x.rows}), got ${t}`);
}

/**
 * Reference: the sample covariance matrix (cols x cols, row-major) of the window ending at each requested row, in
 * two passes (means, then products); NaN for a pair whose window holds a NaN in either column, all NaN while short.
 */
export function rollingCovarianceCpu(x: Matrix, params: CovarianceParams): Float64Array[] {
  checkCovariance(x, params);
  const { window } = params;
  const { cols, data } = x;
  const mean = new Float64Array(cols);
  const clean = new Uint8Array(cols);
  return params.rows.map((end) => {
    const out = new Float64Array(cols * cols).fill(NaN);
    const start = end - window + 1;
    if (start < 0) return out;
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let t = start; t <= end; t++) s += data[t * cols + c]!;
      mean[c] = s / window;
      clean[c] = s === s ? 1 : 0;
    }
    for (let i = 0; i < cols; i++) {
      if (!clean[i]) continue;
      for (let j = i; j < cols; j++) {
        if (!clean[j]) continue;
        let s = 0;
        for (let t = start; t <= end; t++) s += (data[t * cols + i]! - mean[i]!) * (data[t * cols + j]! - mean[j]!);
        out[i * cols + j] = out[j * cols + i] = s / (window - 1);
      }
    }
    return out;
  });
}

export const RollingCorrelationKernel: Kernel<Matrix, CorrelationParams, Matrix> = registerKernel({
  name: CORRELATION,
  size: (x) => x.rows * x.cols,
  cpu: rollingCorrelationCpu,
  // avgPool of a, b, a^2, b^2, ab over [window, 1] (float32) after subtracting each column's mean over the chunk, so
  // the moments hold no level to cancel; NaNs pooled apart as a mask (wasm drops NaN in pooling). Absolute error
  // ~1e-5 on returns.
  async tfjs(tf, x, params) {
    checkCorrelation(x, params);
    const { window, ref } = params;
    const { rows, cols } = x;
    const out = nanMatrix(rows, cols);
    for (const chunk of chunkRows(x, window - 1, Math.max(correlationLimits.chunkElements, window * cols))) {
      if (chunk.rows < window) continue;
      const n = chunk.rows;
      const outRows = n - window + 1;
      const corr = tf.tidy(() => {
        const raw = tf.tensor2d(chunk.data, [n, cols]);
        const rawRef = tf.slice(raw, [0, ref], [n, 1]);
        // a row is missing for column c when x_c or x_ref is NaN
        const missing = tf.logicalOr(tf.isNaN(raw), tf.isNaN(rawRef));
        const present = ones01(tf, tf.logicalNot(missing));
        const centre = (m: Tensor) => {
          const z = tf.where(missing, tf.zerosLike(m), m);
          return tf.mul(tf.sub(z, tf.div(tf.sum(z, 0), tf.maximum(tf.sum(present, 0), 1))), present);
        };
        const a = centre(raw);
        const b = centre(tf.tile(rawRef, [1, cols]));
        const pool = (m: Tensor) => tf.reshape(tf.avgPool(m.as4D(1, n, cols, 1), [window, 1], 1, 'valid'), [outRows, cols]);
        const [ma, mb] = [pool(a), pool(b)];
        const cov = tf.sub(pool(tf.mul(a, b)), tf.mul(ma, mb));
        const va = tf.sub(pool(tf.mul(a, a)), tf.mul(ma, ma));
        const vb = tf.sub(pool(tf.mul(b, b)), tf.mul(mb, mb));
        const undefinedCell = tf.logicalOr(tf.greater(pool(tf.sub(1, present)), 0), tf.logicalOr(tf.lessEqual(va, 0), tf.lessEqual(vb, 0)));
        const denominator = tf.sqrt(tf.where(undefinedCell, tf.onesLike(va), tf.mul(va, vb)));
        return tf.where(undefinedCell, tf.fill([outRows, cols], NaN), tf.clipByValue(tf.div(cov, denominator), -1, 1));
      });
      const values = (await corr.data()) as Float32Array;
      corr.dispose();
      // pooled row k ends at chunk row k + window - 1; the chunk's outputs start at chunk row firstRow
      const skip = Math.max(0, chunk.firstRow - (window - 1));
      fromFloat32(values.subarray(skip * cols), out.data, (chunk.outStart - chunk.firstRow + window - 1 + skip) * cols);
    }
    return out;
  },
});

export const RollingCovarianceKernel: Kernel<Matrix, CovarianceParams, Float64Array[]> = registerKernel({
  name: COVARIANCE,
  size: (x, { window, rows }) => rows.length * window * x.cols * x.cols,
  cpu: rollingCovarianceCpu,
  // The requested windows are stacked [R, window, cols] on the host, centred on their column means and multiplied
  // as a batched matMul (float32); pairs with a NaN are masked by the outer OR of per-column NaN flags. Error ~1e-6
  // of sqrt(var_i var_j).
  async tfjs(tf, x, params) {
    checkCovariance(x, params);
    const { window } = params;
    const { cols, data } = x;
    const result = params.rows.map(() => new Float64Array(cols * cols).fill(NaN));
    const valid = params.rows.map((t, k) => [t, k] as const).filter(([t]) => t >= window - 1);
    const perBatch = Math.max(1, Math.floor(correlationLimits.chunkElements / (window * cols + cols * cols)));
    for (let from = 0; from < valid.length; from += perBatch) {
      const batch = valid.slice(from, from + perBatch);
      const windows = new Float32Array(batch.length * window * cols);
      batch.forEach(([end], b) => windows.set(data.subarray((end - window + 1) * cols, (end + 1) * cols), b * window * cols));
      const cov = tf.tidy(() => {
        const w = tf.tensor3d(windows, [batch.length, window, cols]);
        const missing = tf.isNaN(w);
        const z = tf.where(missing, tf.zerosLike(w), w);
        const centred = tf.sub(z, tf.mean(z, 1, true));
        const products = tf.div(tf.matMul(centred, centred, true, false), window - 1);
        const flagged = tf.greater(tf.max(ones01(tf, missing), 1), 0); // [R, cols]
        const pairMissing = tf.logicalOr(tf.expandDims(flagged, 2), tf.expandDims(flagged, 1));
        return tf.where(pairMissing, tf.fill([batch.length, cols, cols], NaN), products);
      });
      const values = (await cov.data()) as Float32Array;
      cov.dispose();
      batch.forEach(([, k], b) => fromFloat32(values.subarray(b * cols * cols, (b + 1) * cols * cols), result[k]!, 0));
    }
    return result;
  },
});
