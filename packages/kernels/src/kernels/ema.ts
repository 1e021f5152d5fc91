/** Ema: exponential moving average per column, seeded with the first value; a NaN row keeps the state (skip). */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
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
export function decayScanTf(tf: Tf, b: Tensor2D, steps: Tensor2D, logq: number, init: Tensor1D): Tensor2D {
  const [n, cols] = b.shape;
  const decay = (N: Tensor) => tf.exp(tf.mul(N, logq));
  if (n <= BLOCK) {
    const N = tf.cumsum(steps, 0);
    const lags = tf.relu(tf.sub(tf.expandDims(N, 1), tf.expandDims(N, 0))); // [t, k, c] = N_t - N_k (k <= t)
    const weights = tf.mul(decay(lags), tf.tensor3d(lowerTriangle(n), [n, n, 1]));
    const local = tf.sum(tf.mul(weights, tf.expandDims(b, 0)), 1) as Tensor2D;
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

/** What one column's EMA carries from one chunk of rows to the next. */
export type EmaCarry = {
  /** the state s (0 before the seed) */
  readonly level: Tensor1D;
  /** non-NaN values seen so far */
  readonly seen: Tensor1D;
};

export function emaStart(tf: Tf, cols: number): EmaCarry {
  return { level: tf.zeros([cols]), seen: tf.zeros([cols]) };
}

/**
 * The EMA of a chunk [n, cols] continuing from `carry` (emaColumns semantics): value is NaN where x is NaN, seen
 * counts the non-NaN values up to each row (for warm-up masks). Call inside tf.tidy.
 */
export function emaChunkTf(tf: Tf, x: Tensor2D, alpha: number, carry: EmaCarry): { value: Tensor2D; seen: Tensor2D; carry: EmaCarry } {
  const [n, cols] = x.shape;
  const missing = tf.isNaN(x);
  const present = tf.cast(tf.logicalNot(missing), 'float32');
  const seen = tf.add(tf.cumsum(present, 0), tf.expandDims(carry.seen, 0));
  const seed = tf.cast(tf.equal(seen, 1), 'float32');
  // rows that update: present after the seed; the seed row writes x over the (zero) state
  const steps = tf.mul(present, tf.cast(tf.greater(seen, 1), 'float32'));
  const coef = tf.mul(present, tf.add(seed, tf.mul(steps, alpha)));
  const b = tf.mul(tf.where(missing, tf.zerosLike(x), x), coef);
  const s = decayScanTf(tf, b, steps, Math.max(Math.log(1 - alpha), -1e4), carry.level);
  const value = tf.where(missing, tf.fill([n, cols], NaN), s);
  const last = (m: Tensor2D) => tf.reshape(tf.slice(m, [n - 1, 0], [1, cols]), [cols]);
  return { value, seen, carry: { level: last(s), seen: last(seen) } };
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

/** Float32 rows [from, to) of a Float64 matrix, less `shift[c]` per column (differences stay in Float64). */
export function float32Rows(x: Matrix, from: number, to: number, shift?: Float64Array): Float32Array {
  const { cols, data } = x;
  const out = new Float32Array((to - from) * cols);
  for (let i = 0, j = from * cols; j < to * cols; i++, j++) out[i] = data[j]! - (shift === undefined ? 0 : shift[j % cols]!);
  return out;
}

/** The first non-NaN value of each column (0 for an all-NaN column): a shift that keeps float32 digits for the changes. */
export function firstValues(x: Matrix): Float64Array {
  const ref = new Float64Array(x.cols);
  for (let c = 0; c < x.cols; c++) {
    for (let t = 0; t < x.rows; t++) {
      const v = x.data[t * x.cols + c]!;
      if (v === v) {
        ref[c] = v;
        break;
      }
    }
  }
  return ref;
}

export const EmaKernel: Kernel<Matrix, EmaParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: emaCpu,
  // Blocked closed form (decayScanTf) on x less its column's first value (EMA commutes with the shift), in
  // float32; the shift is added back in Float64. Relative error ~1e-6 of the price level.
  async tfjs(tf, x, { span }) {
    const alpha = emaAlpha(span);
    const out = nanMatrix(x.rows, x.cols);
    const ref = firstValues(x);
    const cols = x.cols;
    await scanChunks(
      tf,
      x.rows,
      scanRowsPerChunk(cols),
      emaStart(tf, cols),
      (from, to, carry) => {
        const r = emaChunkTf(tf, tf.tensor2d(float32Rows(x, from, to, ref), [to - from, cols]), alpha, carry);
        return { outputs: [r.value], carry: r.carry };
      },
      (from, _to, [value]) => {
        for (let i = 0, j = from * cols; i < value!.length; i++, j++) out.data[j] = value![i]! + ref[j % cols]!;
      },
    );
    return out;
  },
});
