/** Per-row (cross-sectional) transforms over the assets of a bar: rank scaled to [0, 1] and z-score. */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { CrossSectionalRank as RANK, CrossSectionalZScore as ZSCORE } from '../names.ts';
import { ones01 } from './ema.ts';
import { fromFloat32 } from './util.ts';

/** float32 elements of the largest temporary per chunk of rows (rank: rows x cols x cols); tests lower it. */
export const crossSectionLimits = { chunkElements: 1 << 24 };

/**
 * Reference rank: per row, the 0-based rank of each non-NaN value among the row's non-NaN values (ties share their
 * average rank) divided by n - 1; a row with one value gives 0.5; NaN stays NaN.
 */
export function crossSectionalRankCpu(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  const out = nanMatrix(rows, cols);
  const order: number[] = [];
  for (let t = 0; t < rows; t++) {
    const row = t * cols;
    order.length = 0;
    for (let c = 0; c < cols; c++) if (data[row + c]! === data[row + c]!) order.push(c);
    const n = order.length;
    if (n === 1) out.data[row + order[0]!] = 0.5;
    if (n < 2) continue;
    order.sort((a, b) => data[row + a]! - data[row + b]!);
    for (let i = 0; i < n; ) {
      let j = i;
      while (j + 1 < n && data[row + order[j + 1]!]! === data[row + order[i]!]!) j++;
      const rank = (i + j) / 2 / (n - 1);
      for (let k = i; k <= j; k++) out.data[row + order[k]!] = rank;
      i = j + 1;
    }
  }
  return out;
}

/**
 * Reference z-score: per row (x - mean) / std over the non-NaN values, std the population one (two passes);
 * NaN where the row's values are all equal (std 0, tested exactly as min = max) or absent.
 */
export function crossSectionalZScoreCpu(x: Matrix): Matrix {
  const { rows, cols, data } = x;
  const out = nanMatrix(rows, cols);
  for (let t = 0; t < rows; t++) {
    const row = t * cols;
    let n = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = data[row + c]!;
      if (v !== v) continue;
      n++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (n === 0 || min === max) continue;
    const mean = sum / n;
    let ss = 0;
    for (let c = 0; c < cols; c++) {
      const v = data[row + c]!;
      if (v === v) ss += (v - mean) * (v - mean);
    }
    const std = Math.sqrt(ss / n);
    for (let c = 0; c < cols; c++) out.data[row + c] = (data[row + c]! - mean) / std;
  }
  return out;
}

/** Float32 rows [from, to), each less its first non-NaN value (taken in Float64: differences keep their digits). */
function centredRows(x: Matrix, from: number, to: number): Float32Array {
  const { cols, data } = x;
  const out = new Float32Array((to - from) * cols);
  for (let t = from; t < to; t++) {
    let shift = 0;
    for (let c = 0; c < cols; c++) {
      if (data[t * cols + c]! === data[t * cols + c]!) {
        shift = data[t * cols + c]!;
        break;
      }
    }
    for (let c = 0; c < cols; c++) out[(t - from) * cols + c] = data[t * cols + c]! - shift;
  }
  return out;
}

export const CrossSectionalRankKernel: Kernel<Matrix, Record<string, never>, Matrix> = registerKernel({
  name: RANK,
  size: (x) => x.rows * x.cols * x.cols,
  cpu: (x) => crossSectionalRankCpu(x),
  // Pairwise comparisons per row ([rows, cols, cols], chunked): rank = #less + (#equal - 1) / 2 over non-NaN
  // values. Compared in float32 after subtracting the row's first value in Float64, so only values within
  // float32 rounding of each other can tie differently from the reference. Exact otherwise.
  async tfjs(tf, x) {
    const { rows, cols } = x;
    const out = nanMatrix(rows, cols);
    const perChunk = Math.max(1, Math.floor(crossSectionLimits.chunkElements / Math.max(1, cols * cols)));
    for (let from = 0; from < rows; from += perChunk) {
      const to = Math.min(rows, from + perChunk);
      const n = to - from;
      const rank = tf.tidy(() => {
        const raw = tf.tensor2d(centredRows(x, from, to), [n, cols]);
        const missing = tf.isNaN(raw);
        const present = tf.logicalNot(missing);
        const v = tf.where(missing, tf.zerosLike(raw), raw);
        const [vi, vj] = [tf.expandDims(v, 2), tf.expandDims(v, 1)]; // [row, i, 1], [row, 1, j]
        const others = tf.expandDims(present, 1);
        const less = tf.sum(ones01(tf, tf.logicalAnd(others, tf.less(vj, vi))), 2);
        const equal = tf.sum(ones01(tf, tf.logicalAnd(others, tf.equal(vj, vi))), 2);
        const count = tf.sum(ones01(tf, present), 1, true);
        const single = tf.equal(count, 1);
        const scaled = tf.div(tf.add(less, tf.mul(tf.sub(equal, 1), 0.5)), tf.where(single, tf.onesLike(count), tf.sub(count, 1)));
        const ranked = tf.where(tf.logicalAnd(single, present), tf.fill([n, cols], 0.5), scaled);
        return tf.where(missing, tf.fill([n, cols], NaN), ranked);
      });
      const values = (await rank.data()) as Float32Array;
      rank.dispose();
      fromFloat32(values, out.data, from * cols);
    }
    return out;
  },
});

export const CrossSectionalZScoreKernel: Kernel<Matrix, Record<string, never>, Matrix> = registerKernel({
  name: ZSCORE,
  size: (x) => x.rows * x.cols,
  cpu: (x) => crossSectionalZScoreCpu(x),
  // Two passes per row (mean, then squared deviations) in float32 on values less the row's first value (taken in
  // Float64); std = 0 is tested as min = max, exactly. Absolute error ~1e-6 on z.
  async tfjs(tf, x) {
    const { rows, cols } = x;
    const out = nanMatrix(rows, cols);
    const perChunk = Math.max(1, Math.floor(crossSectionLimits.chunkElements / Math.max(1, cols)));
    for (let from = 0; from < rows; from += perChunk) {
      const to = Math.min(rows, from + perChunk);
      const n = to - from;
      const z = tf.tidy(() => {
        const raw = tf.tensor2d(centredRows(x, from, to), [n, cols]);
        const missing = tf.isNaN(raw);
        const present = ones01(tf, tf.logicalNot(missing));
        const v = tf.where(missing, tf.zerosLike(raw), raw);
        const count = tf.sum(present, 1, true);
        const mean = tf.div(tf.sum(v, 1, true), tf.maximum(count, 1));
        const deviation = tf.mul(tf.sub(v, mean), present);
        const std = tf.sqrt(tf.div(tf.sum(tf.mul(deviation, deviation), 1, true), tf.maximum(count, 1)));
        const max = tf.max(tf.where(missing, tf.fill([n, cols], -Infinity), raw), 1, true);
        const min = tf.min(tf.where(missing, tf.fill([n, cols], Infinity), raw), 1, true);
        const flat = tf.logicalOr(tf.lessEqual(count, 0), tf.equal(max, min));
        const scores = tf.div(deviation, tf.where(flat, tf.onesLike(std), std));
        return tf.where(tf.logicalOr(missing, flat), tf.fill([n, cols], NaN), scores);
      });
      const values = (await z.data()) as Float32Array;
      z.dispose();
      fromFloat32(values, out.data, from * cols);
    }
    return out;
  },
});
