/** Ema: exponential moving average per column, seeded with the first value; a NaN row keeps the state (skip). */
import type { Tensor } from '@tensorflow/tfjs';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { Ema as NAME } from '../names.ts';
import type { Tf } from '../runtime/tfjs.ts';

export interface EmaParams {
  /** alpha = 2 / (span + 1); span >= 1 */
  readonly span: number;
}

export function emaAlpha(span: number): number {
  if (!(span >= 1)) throw new Error(`Ema span must be >= 1, got ${span}`);
  return 2 / (span + 1);
}

/**
 * Reference: s = x at the column's first non-NaN row, then s += alpha (x - s); the output is s on non-NaN rows
 * from the seed on and NaN elsewhere (a NaN row leaves s unchanged). Shared by Rsi, Atr and Macd.
 */
export function emaColumns(x: Matrix, alpha: number): Matrix {
  const { rows, cols, data } = x;
  const out = nanMatrix(rows, cols);
  for (let c = 0; c < cols; c++) {
    let s = NaN;
    for (let t = 0; t < rows; t++) {
      const v = data[t * cols + c]!;
      if (v !== v) continue;
      s = s !== s ? v : s + alpha * (v - s);
      out.data[t * cols + c] = s;
    }
  }
  return out;
}

export function emaCpu(x: Matrix, { span }: EmaParams): Matrix {
  return emaColumns(x, emaAlpha(span));
}

// ---- tfjs: a linear recurrence as a blocked closed form ----

/** Rows per block of the closed form: its [B x B] decay weights per column are the materialised temporaries. */
const BLOCK = 32;
/** float32 elements of the largest temporary per chunk of rows (rows x BLOCK x cols); tests lower it to cross chunks. */
export const scanLimits = { chunkElements: 1 << 24 };

/** Rows per chunk (a multiple of BLOCK) so that the blocked scan's temporaries stay under scanLimits.chunkElements. */
export function scanRowsPerChunk(cols: number): number {
  return Math.max(BLOCK, Math.floor(scanLimits.chunkElements / (BLOCK * Math.max(1, cols)) / BLOCK) * BLOCK);
}

const lowerCache = new Map<number, Float32Array>();
/** [t, k] = 1 where k <= t (the causal part of a block), as float32 [n * n]. */
function lowerTriangle(n: number): Float32Array {
  let m = lowerCache.get(n);
  if (m === undefined) {
    m = new Float32Array(n * n);
    for (let t = 0; t < n; t++) for (let k = 0; k <= t; k++) m[t * n + k] = 1;
    lowerCache.set(n, m);
  }
  return m;
}

/**
 * s_t = q^steps_t * s_{t-1} + b_t down each column of [n, cols], from s_{-1} = init; logq = ln q.
 * Within a block of BLOCK rows, s_t = sum_k q^(N_t - N_k) b_k + q^N_t s_before, with N the running sum of steps:
 * the weights are exp((N_t - N_k) ln q) with N_t - N_k >= 0, so they only ever underflow (to a forgotten past),
 * never overflow, whatever the decay. The block ends follow the same recurrence (steps summed per block), solved
 * recursively, so a chunk of n rows takes log_BLOCK(n) levels of a few tensor ops each. Call inside tf.tidy.
 */
export function decayScanTf(tf: Tf, b: Tensor, steps: Tensor, logq: number, init: Tensor): Tensor {
  const [n = 0, cols = 0] = b.shape;
  const decay = (N: Tensor) => tf.exp(tf.mul(N, logq));
  if (n <= BLOCK) {
    const N = tf.cumsum(steps, 0);
    const lags = tf.relu(tf.sub(tf.expandDims(N, 1), tf.expandDims(N, 0))); // [t, k, c] = N_t - N_k (k <= t)
    const weights = tf.mul(decay(lags), tf.tensor3d(lowerTriangle(n), [n, n, 1]));
    const local = tf.sum(tf.mul(weights, tf.expandDims(b, 0)), 1);
    return tf.add(local, tf.mul(decay(N), tf.expandDims(init, 0)));
  }
  const blocks = Math.ceil(n / BLOCK);
  const pad = blocks * BLOCK - n;
  const b3 = tf.reshape(tf.pad(b, [[0, pad], [0, 0]]), [blocks, BLOCK, cols]);
  const N = tf.cumsum(tf.reshape(tf.pad(steps, [[0, pad], [0, 0]]), [blocks, BLOCK, cols]), 1);
  const lags = tf.relu(tf.sub(tf.expandDims(N, 2), tf.expandDims(N, 1))); // [block, t, k, c]
  const weights = tf.mul(decay(lags), tf.tensor4d(lowerTriangle(BLOCK), [1, BLOCK, BLOCK, 1]));
  const local = tf.sum(tf.mul(weights, tf.expandDims(b3, 1)), 2); // [block, t, c], from a zero state
  const ends = tf.reshape(tf.slice(local, [0, BLOCK - 1, 0], [blocks, 1, cols]), [blocks, cols]);
  const endSteps = tf.reshape(tf.slice(N, [0, BLOCK - 1, 0], [blocks, 1, cols]), [blocks, cols]);
  const state = decayScanTf(tf, ends, endSteps, logq, init); // state at the end of each block
  const before = tf.concat([tf.expandDims(init, 0), tf.slice(state, [0, 0], [blocks - 1, cols])], 0);
  const s = tf.add(local, tf.mul(decay(N), tf.expandDims(before, 1)));
  return tf.slice(tf.reshape(s, [blocks * BLOCK, cols]), [0, 0], [n, cols]);
}

/**
 * 1 where `condition` holds, else 0, as float32. Not tf.cast(bool): tfjs-webgpu keeps the int32 data of a cast bool
 * and a later transpose (cumsum along rows) feeds it to a float32 shader that does not compile.
 */
export function ones01(tf: Tf, condition: Tensor): Tensor {
  return tf.where(condition, tf.ones(condition.shape), tf.zeros(condition.shape));
}

/** What one column's EMA carries from one chunk of rows to the next. */
export type EmaCarry = {
  /** [cols]: the state s (0 before the seed) */
  readonly level: Tensor;
  /** [cols]: non-NaN values seen so far */
  readonly seen: Tensor;
};

export function emaStart(tf: Tf, cols: number): EmaCarry {
  return { level: tf.zeros([cols]), seen: tf.zeros([cols]) };
}

/**
 * The EMA of a chunk [n, cols] continuing from `carry` (emaColumns semantics): value is NaN where x is NaN, seen
 * counts the non-NaN values up to each row (for warm-up masks). Call inside tf.tidy.
 */
export function emaChunkTf(tf: Tf, x: Tensor, alpha: number, carry: EmaCarry): { value: Tensor; seen: Tensor; carry: EmaCarry } {
  const [n = 0, cols = 0] = x.shape;
  const missing = tf.isNaN(x);
  const present = ones01(tf, tf.logicalNot(missing));
  const seen = tf.add(tf.cumsum(present, 0), tf.expandDims(carry.seen, 0));
  const seed = ones01(tf, tf.equal(seen, 1));
  // rows that update: present after the seed; the seed row writes x over the (zero) state
  const steps = tf.mul(present, ones01(tf, tf.greater(seen, 1)));
  const coef = tf.mul(present, tf.add(seed, tf.mul(steps, alpha)));
  const b = tf.mul(tf.where(missing, tf.zerosLike(x), x), coef);
  const s = decayScanTf(tf, b, steps, Math.max(Math.log(1 - alpha), -1e4), carry.level);
  const value = tf.where(missing, tf.fill([n, cols], NaN), s);
  return { value, seen, carry: { level: lastRow(tf, s), seen: lastRow(tf, seen) } };
}

/**
 * Runs `step` over chunks of rows [from, to) inside tf.tidy, carrying tensors from chunk to chunk, and hands each
 * chunk's outputs to `write` as float32 (the carried tensors and every temporary are disposed).
 */
export async function scanChunks<C extends Record<string, Tensor>>(
  tf: Tf,
  rows: number,
  rowsPerChunk: number,
  start: C,
  step: (from: number, to: number, carry: C) => { outputs: Tensor[]; carry: C },
  write: (from: number, to: number, outputs: Float32Array[]) => void,
): Promise<void> {
  let carry = start;
  try {
    for (let from = 0; from < rows; from += rowsPerChunk) {
      const to = Math.min(rows, from + rowsPerChunk);
      const before = carry;
      const r = tf.tidy(() => step(from, to, before));
      tf.dispose(Object.values(before));
      carry = r.carry;
      try {
        const values = (await Promise.all(r.outputs.map((t) => t.data()))) as Float32Array[];
        write(from, to, values);
      } finally {
        tf.dispose(r.outputs);
      }
    }
  } finally {
    tf.dispose(Object.values(carry));
  }
}

/**
 * The gap g = x - ema follows the changes d_t = x_t - (the column's previous non-NaN x): g_t = (1 - alpha)(g_{t-1} + d_t),
 * g = 0 at the seed, NaN rows skipped. Driven by changes, it keeps float32 digits for the moves rather than for the
 * price level. `change` is NaN on NaN rows (0 at the seed); returns the gap per row. Call inside tf.tidy.
 */
export function emaGapChunkTf(tf: Tf, change: Tensor, alpha: number, gap: Tensor): Tensor {
  const missing = tf.isNaN(change);
  const b = tf.mul(tf.where(missing, tf.zerosLike(change), change), 1 - alpha);
  return decayScanTf(tf, b, ones01(tf, tf.logicalNot(missing)), Math.max(Math.log(1 - alpha), -1e4), gap);
}

/**
 * Float32 changes of rows [from, to) since each column's previous non-NaN value, taken in Float64: NaN on NaN rows,
 * 0 at a column's first value. `last` holds the previous non-NaN value per column (NaN: none yet) and is advanced.
 */
export function changesSinceLast(x: Matrix, from: number, to: number, last: Float64Array): Float32Array {
  const { cols, data } = x;
  const out = new Float32Array((to - from) * cols);
  for (let i = 0, j = from * cols; j < to * cols; i++, j++) {
    const v = data[j]!;
    const c = j % cols;
    const prev = last[c]!;
    if (v !== v) out[i] = NaN;
    else {
      out[i] = prev === prev ? v - prev : 0;
      last[c] = v;
    }
  }
  return out;
}

/** The last row of a [n, cols] tensor as [cols]. */
export function lastRow(tf: Tf, m: Tensor): Tensor {
  const [n = 0, cols = 0] = m.shape;
  return tf.reshape(tf.slice(m, [n - 1, 0], [1, cols]), [cols]);
}

export const EmaKernel: Kernel<Matrix, EmaParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: emaCpu,
  // The gap x - ema (emaGapChunkTf) through the blocked scan in float32, then ema = x - gap in Float64:
  // error ~1e-7 of the recent moves, not of the price level.
  async tfjs(tf, x, { span }) {
    const alpha = emaAlpha(span);
    const { rows, cols, data } = x;
    const out = nanMatrix(rows, cols);
    const last = new Float64Array(cols).fill(NaN);
    await scanChunks(
      tf,
      rows,
      scanRowsPerChunk(cols),
      { gap: tf.zeros([cols]) },
      (from, to, carry) => {
        const gap = emaGapChunkTf(tf, tf.tensor2d(changesSinceLast(x, from, to, last), [to - from, cols]), alpha, carry.gap);
        return { outputs: [gap], carry: { gap: lastRow(tf, gap) } };
      },
      (from, _to, [gap]) => {
        for (let i = 0, j = from * cols; i < gap!.length; i++, j++) out.data[j] = data[j]! - gap![i]!;
      },
    );
    return out;
  },
});
