/** CombineExperts: per cell, the softmax (over experts) of logits / temperature weighting the experts' exposures. */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { CombineExperts as NAME } from '../names.ts';
import { ones01 } from './ema.ts';
import { fromFloat32 } from './util.ts';

export interface ExpertPanel {
  /** E matrices [T x A]: each expert's exposure per bar and asset */
  readonly exposures: readonly Matrix[];
  /** E matrices [T x A]: the router's score of each expert per bar and asset */
  readonly logits: readonly Matrix[];
}

export interface CombineParams {
  /** > 0; lower sharpens the softmax toward the best-scored expert */
  readonly temperature: number;
}

/** float32 elements per chunk of rows (experts x rows x assets); tests lower it. */
export const combineLimits = { chunkElements: 1 << 22 };

function check({ exposures, logits }: ExpertPanel, temperature: number): { rows: number; cols: number } {
  if (!(temperature > 0)) throw new Error(`CombineExperts temperature must be > 0, got ${temperature}`);
  if (exposures.length === 0 || exposures.length !== logits.length) {
    throw new Error(`CombineExperts needs as many logits as exposures (>= 1), got ${logits.length} and ${exposures.length}`);
  }
  const { rows, cols } = exposures[0]!;
  for (const m of [...exposures, ...logits]) {
    if (m.rows !== rows || m.cols !== cols) throw new Error(`CombineExperts matrices must all be ${rows}x${cols}, got ${m.rows}x${m.cols}`);
  }
  return { rows, cols };
}

/**
 * Reference: sum_e w_e x_e / sum_e w_e with w_e = exp(l_e / T - max_e l_e / T) (stable softmax). An expert whose
 * logit or exposure is NaN in a cell (e.g. still warming up) is left out of that cell's softmax; a cell with no
 * expert left is NaN.
 */
export function combineExpertsCpu(panel: ExpertPanel, { temperature }: CombineParams): Matrix {
  const { rows, cols } = check(panel, temperature);
  const { exposures, logits } = panel;
  const out = nanMatrix(rows, cols);
  for (let i = 0; i < rows * cols; i++) {
    let max = -Infinity;
    for (let e = 0; e < exposures.length; e++) {
      const l = logits[e]!.data[i]! / temperature;
      if (l === l && exposures[e]!.data[i]! === exposures[e]!.data[i]! && l > max) max = l;
    }
    if (max === -Infinity) continue;
    let weights = 0;
    let sum = 0;
    for (let e = 0; e < exposures.length; e++) {
      const l = logits[e]!.data[i]! / temperature;
      const x = exposures[e]!.data[i]!;
      if (l !== l || x !== x) continue;
      const w = Math.exp(l - max);
      weights += w;
      sum += w * x;
    }
    out.data[i] = sum / weights;
  }
  return out;
}

export const CombineExpertsKernel: Kernel<ExpertPanel, CombineParams, Matrix> = registerKernel({
  name: NAME,
  size: (p) => p.exposures.length * (p.exposures[0]?.rows ?? 0) * (p.exposures[0]?.cols ?? 0),
  cpu: combineExpertsCpu,
  // Experts stacked [E, rows, cols] per chunk of rows; the softmax over axis 0 with the max subtracted and the
  // left-out experts masked (not NaN-propagated: backends differ). float32: error ~1e-7 of the exposure scale.
  async tfjs(tf, panel, { temperature }) {
    const { rows, cols } = check(panel, temperature);
    const experts = panel.exposures.length;
    const out = nanMatrix(rows, cols);
    const perChunk = Math.max(1, Math.floor(combineLimits.chunkElements / Math.max(1, experts * cols)));
    for (let from = 0; from < rows; from += perChunk) {
      const to = Math.min(rows, from + perChunk);
      const n = to - from;
      const stack = (ms: readonly Matrix[], scale: number) => {
        const s = new Float32Array(experts * n * cols);
        ms.forEach((m, e) => {
          const src = m.data.subarray(from * cols, to * cols);
          for (let i = 0; i < src.length; i++) s[e * n * cols + i] = src[i]! * scale;
        });
        return tf.tensor3d(s, [experts, n, cols]);
      };
      const combined = tf.tidy(() => {
        const l = stack(panel.logits, 1 / temperature);
        const x = stack(panel.exposures, 1);
        const missing = tf.logicalOr(tf.isNaN(l), tf.isNaN(x));
        const present = ones01(tf, tf.logicalNot(missing));
        const none = tf.equal(tf.sum(present, 0), 0); // [n, cols]
        const max = tf.max(tf.where(missing, tf.fill(l.shape, -Infinity), l), 0);
        const shift = tf.where(none, tf.zerosLike(max), max);
        const w = tf.mul(tf.exp(tf.sub(tf.where(missing, tf.zerosLike(l), l), shift)), present);
        const sum = tf.sum(tf.mul(w, tf.where(missing, tf.zerosLike(x), x)), 0);
        const weights = tf.sum(w, 0);
        return tf.where(none, tf.fill([n, cols], NaN), tf.div(sum, tf.where(none, tf.onesLike(weights), weights)));
      });
      const values = (await combined.data()) as Float32Array;
      combined.dispose();
      fromFloat32(values, out.data, from * cols);
    }
    return out;
  },
});
