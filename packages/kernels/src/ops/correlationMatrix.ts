/**
 * CorrelationMatrix: the cols x cols Pearson correlation of a sample matrix (rows are observations, e.g. bars x
 * assets pooled; cols are variables, e.g. features). NaN cells are imputed with their column's mean (they add
 * nothing to the covariance); a constant column correlates 0 with everything and 1 with itself.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { type Kernel, registerKernel } from '../kernel.ts';
import type { Matrix } from '../matrix.ts';
import { CorrelationMatrix as NAME } from '../names.ts';

/** Column means and inverse standard deviations (0 for a constant column) over the non-NaN cells. */
function columnScales(x: Matrix): { mean: Float64Array; inv: Float64Array } {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  const count = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const v = data[t * cols + c]!;
      if (v === v) {
        mean[c]! += v;
        count[c]!++;
      }
    }
  }
  for (let c = 0; c < cols; c++) mean[c] = count[c]! > 0 ? mean[c]! / count[c]! : 0;
  const inv = new Float64Array(cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const v = data[t * cols + c]!;
      if (v === v) inv[c]! += (v - mean[c]!) * (v - mean[c]!);
    }
  }
  for (let c = 0; c < cols; c++) inv[c] = inv[c]! > 0 ? 1 / Math.sqrt(inv[c]!) : 0;
  return { mean, inv };
}

/** Reference: standardise (unit sum of squares per column), then Z^T Z; the diagonal is set to 1. */
export function correlationMatrixCpu(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  const { mean, inv } = columnScales(x);
  const z = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const v = data[t * cols + c]!;
      z[t * cols + c] = v === v ? (v - mean[c]!) * inv[c]! : 0;
    }
  }
  const out = new Float64Array(cols * cols);
  for (let t = 0; t < rows; t++) {
    const o = t * cols;
    for (let i = 0; i < cols; i++) {
      const zi = z[o + i]!;
      if (zi === 0) continue;
      for (let j = i; j < cols; j++) out[i * cols + j]! += zi * z[o + j]!;
    }
  }
  for (let i = 0; i < cols; i++) {
    out[i * cols + i] = 1;
    for (let j = i + 1; j < cols; j++) out[j * cols + i] = out[i * cols + j]!;
  }
  return { rows: cols, cols, data: out };
}

export const CorrelationMatrixKernel: Kernel<Matrix, Record<string, never>, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols * x.cols,
  cpu: (x) => correlationMatrixCpu(x),
  /** tfjs: standardise on the host's float64 scales, then one matMul Z^T Z on the backend. */
  tfjs: async (tf, x) => {
    const { rows, cols, data } = x;
    const { mean, inv } = columnScales(x);
    const z = new Float32Array(rows * cols);
    for (let i = 0; i < z.length; i++) {
      const c = i % cols;
      const v = data[i]!;
      z[i] = v === v ? (v - mean[c]!) * inv[c]! : 0;
    }
    const zt: Tensor = tf.tensor2d(z, [rows, cols]);
    const g = tf.matMul(zt, zt, true, false);
    const values = await g.data();
    zt.dispose();
    g.dispose();
    const out = Float64Array.from(values);
    for (let i = 0; i < cols; i++) out[i * cols + i] = 1;
    return { rows: cols, cols, data: out };
  },
});
