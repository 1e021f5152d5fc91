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

/** sum over t < n of z[a + t] * z[b + t], in order */
function dot(z: Float64Array, a: number, b: number, n: number): number {
  let s = 0;
  for (let t = 0; t < n; t++) s += z[a + t]! * z[b + t]!;
  return s;
}

/**
 * Reference: standardise (unit sum of squares per column), then Z^T Z; the diagonal is set to 1. Z is held column by
 * column so each entry is one contiguous dot product, summed over the rows in order (the same sums as row by row).
 */
export function correlationMatrixCpu(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  const { mean, inv } = columnScales(x);
  const z = new Float64Array(rows * cols);
  for (let t = 0; t < rows; t++) {
    for (let c = 0; c < cols; c++) {
      const v = data[t * cols + c]!;
      z[c * rows + t] = v === v ? (v - mean[c]!) * inv[c]! : 0;
    }
  }
  return { rows: cols, cols, data: gram(z, rows, cols) };
}

/**
 * correlationMatrixCpu of a sample matrix held column by column (columns[c * rows + t]), as a caller that gathers
 * one variable at a time builds it: the same sums in the same order, so the same values, without the transposes.
 * `scratch` (rows x cols, overwritten) holds the standardised columns.
 */
export function correlationOfColumns(columns: Float64Array, rows: number, cols: number, scratch = new Float64Array(rows * cols)): Float64Array {
  for (let c = 0; c < cols; c++) {
    const base = c * rows;
    let sum = 0;
    let count = 0;
    for (let t = 0; t < rows; t++) {
      const v = columns[base + t]!;
      if (v === v) {
        sum += v;
        count++;
      }
    }
    const mean = count > 0 ? sum / count : 0;
    let ss = 0;
    for (let t = 0; t < rows; t++) {
      const v = columns[base + t]!;
      if (v === v) ss += (v - mean) * (v - mean);
    }
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let t = 0; t < rows; t++) {
      const v = columns[base + t]!;
      scratch[base + t] = v === v ? (v - mean) * inv : 0;
    }
  }
  return gram(scratch, rows, cols);
}

/** Z^T Z of standardised columns z[c * rows + t], the diagonal set to 1. */
function gram(z: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) {
    const io = i * rows;
    out[i * cols + i] = 1;
    let j = i + 1;
    // four columns at once: four independent sums (the adds' latency, not the multiplies, bounds a single sum)
    for (; j + 3 < cols; j += 4) {
      const a = j * rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < rows; t++) {
        const v = z[io + t]!;
        s0 += v * z[a + t]!;
        s1 += v * z[a + rows + t]!;
        s2 += v * z[a + 2 * rows + t]!;
        s3 += v * z[a + 3 * rows + t]!;
      }
      out[i * cols + j] = out[j * cols + i] = s0;
      out[i * cols + j + 1] = out[(j + 1) * cols + i] = s1;
      out[i * cols + j + 2] = out[(j + 2) * cols + i] = s2;
      out[i * cols + j + 3] = out[(j + 3) * cols + i] = s3;
    }
    for (; j < cols; j++) out[i * cols + j] = out[j * cols + i] = dot(z, io, j * rows, rows);
  }
  return out;
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
