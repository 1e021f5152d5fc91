/** Rsi: Wilder's relative strength index in [0, 100] per column, from the changes of the previous row. */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { Rsi as NAME } from '../names.ts';
import { emaChunkTf, emaStart, scanChunks, scanRowsPerChunk } from './ema.ts';

export interface RsiParams {
  /** Wilder smoothing alpha = 1 / window; also the number of changes before the first output */
  readonly window: number;
}

function checkWindow(window: number): void {
  if (!Number.isInteger(window) || window < 1) throw new Error(`Rsi window must be an integer >= 1, got ${window}`);
}

/**
 * Reference. change_t = close_t - close_{t-1} (NaN when either is NaN); gains and losses are smoothed like Ema with
 * alpha = 1/window (seeded with the first change, a NaN change keeps the state); RSI = 100 G / (G + L), 50 when
 * both are 0; NaN on rows without a change and until `window` changes were seen.
 */
export function rsiCpu(close: Matrix, { window }: RsiParams): Matrix {
  checkWindow(window);
  const { rows, cols, data } = close;
  const alpha = 1 / window;
  const out = nanMatrix(rows, cols);
  for (let c = 0; c < cols; c++) {
    let gain = 0;
    let loss = 0;
    let seen = 0;
    for (let t = 1; t < rows; t++) {
      const change = data[t * cols + c]! - data[(t - 1) * cols + c]!;
      if (change !== change) continue;
      const g = change > 0 ? change : 0;
      const l = change < 0 ? -change : 0;
      if (seen === 0) {
        gain = g;
        loss = l;
      } else {
        gain += alpha * (g - gain);
        loss += alpha * (l - loss);
      }
      seen++;
      if (seen >= window) out.data[t * cols + c] = gain + loss > 0 ? (100 * gain) / (gain + loss) : 50;
    }
  }
  return out;
}

/** Float32 changes close_t - close_{t-1} of rows [from, to), taken in Float64 (row 0 has none: NaN). */
function changeRows(close: Matrix, from: number, to: number): Float32Array {
  const { cols, data } = close;
  const out = new Float32Array((to - from) * cols);
  for (let i = 0, j = from * cols; j < to * cols; i++, j++) out[i] = j < cols ? NaN : data[j]! - data[j - cols]!;
  return out;
}

export const RsiKernel: Kernel<Matrix, RsiParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: rsiCpu,
  // Changes are taken in Float64 while converting (float32 prices would lose their digits); gains and losses go
  // through the blocked EMA scan in float32. Absolute error ~1e-4 on the 0-100 scale.
  async tfjs(tf, close, { window }) {
    checkWindow(window);
    const alpha = 1 / window;
    const { rows, cols } = close;
    const out = nanMatrix(rows, cols);
    const start = emaStart(tf, cols);
    const loss0 = emaStart(tf, cols);
    await scanChunks(
      tf,
      rows,
      scanRowsPerChunk(cols),
      { gainLevel: start.level, seen: start.seen, lossLevel: loss0.level, lossSeen: loss0.seen },
      (from, to, carry) => {
        const change = tf.tensor2d(changeRows(close, from, to), [to - from, cols]);
        const missing = tf.isNaN(change);
        const nan = tf.fill(change.shape, NaN);
        const moved = tf.where(missing, tf.zerosLike(change), change);
        const g = emaChunkTf(tf, tf.where(missing, nan, tf.relu(moved)), alpha, { level: carry.gainLevel, seen: carry.seen });
        const l = emaChunkTf(tf, tf.where(missing, nan, tf.relu(tf.neg(moved))), alpha, { level: carry.lossLevel, seen: carry.lossSeen });
        const total = tf.add(g.value, l.value);
        const flat = tf.lessEqual(tf.where(missing, tf.onesLike(total), total), 0);
        const rsi = tf.where(flat, tf.fill(change.shape, 50), tf.div(tf.mul(g.value, 100), tf.where(flat, tf.onesLike(total), total)));
        const undefinedRow = tf.logicalOr(missing, tf.less(g.seen, window));
        return {
          outputs: [tf.where(undefinedRow, nan, rsi)],
          carry: { gainLevel: g.carry.level, seen: g.carry.seen, lossLevel: l.carry.level, lossSeen: l.carry.seen },
        };
      },
      (from, _to, [rsi]) => out.data.set(rsi!, from * cols),
    );
    return out;
  },
});
