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

/**
 * Z^T Z of standardised columns z[c * rows + t], the diagonal set to 1. Each entry is one sum over the rows in order;
 * the blocks (two columns i against four columns j) only share the loads between eight independent sums.
 */
function gram(z: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols * cols);
  const put = (i: number, j: number, v: number) => {
    out[i * cols + j] = v;
    out[j * cols + i] = v;
  };
  let i = 0;
  for (; i + 1 < cols; i += 2) {
    const io = i * rows;
    const io1 = io + rows;
    out[i * cols + i] = 1;
    out[(i + 1) * cols + i + 1] = 1;
    put(i, i + 1, dot(z, io, io1, rows));
    let j = i + 2;
    // two columns against four at once: eight independent sums (the adds' latency, not the multiplies, bounds a
    // single sum), six loads per row for eight products
    for (; j + 3 < cols; j += 4) {
      const a = j * rows;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      for (let t = 0; t < rows; t++) {
        const v = z[io + t]!;
        const w = z[io1 + t]!;
        const b0 = z[a + t]!;
        const b1 = z[a + rows + t]!;
        const b2 = z[a + 2 * rows + t]!;
        const b3 = z[a + 3 * rows + t]!;
        s0 += v * b0;
        s1 += v * b1;
        s2 += v * b2;
        s3 += v * b3;
        u0 += w * b0;
        u1 += w * b1;
        u2 += w * b2;
        u3 += w * b3;
      }
      put(i, j, s0);
      put(i, j + 1, s1);
      put(i, j + 2, s2);
      put(i, j + 3, s3);
      put(i + 1, j, u0);
      put(i + 1, j + 1, u1);
      put(i + 1, j + 2, u2);
      put(i + 1, j + 3, u3);
    }
    for (; j < cols; j++) {
      put(i, j, dot(z, io, j * rows, rows));
      put(i + 1, j, dot(z, io1, j * rows, rows));
    }
  }
  if (i < cols) out[i * cols + i] = 1;
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
