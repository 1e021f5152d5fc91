/** Macd: EMA(fast) - EMA(slow) of each column, its EMA(signal) and the histogram (macd - signal). */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { Macd as NAME } from '../names.ts';
import { changesSinceLast, emaAlpha, emaChunkTf, emaColumns, emaGapChunkTf, emaStart, lastRow, scanChunks, scanRowsPerChunk } from './ema.ts';

export interface MacdParams {
  /** spans of the EMAs (alpha = 2 / (span + 1)) */
  readonly fast: number;
  readonly slow: number;
  readonly signal: number;
}

export interface MacdOutput {
  readonly macd: Matrix;
  readonly signal: Matrix;
  readonly histogram: Matrix;
}

/** Reference: Ema semantics throughout (seeded at the first value, NaN rows skipped), so all three start together. */
export function macdCpu(close: Matrix, { fast, slow, signal }: MacdParams): MacdOutput {
  const f = emaColumns(close, emaAlpha(fast));
  const s = emaColumns(close, emaAlpha(slow));
  const macd = nanMatrix(close.rows, close.cols);
  for (let i = 0; i < macd.data.length; i++) macd.data[i] = f.data[i]! - s.data[i]!;
  const sig = emaColumns(macd, emaAlpha(signal));
  const histogram = nanMatrix(close.rows, close.cols);
  for (let i = 0; i < macd.data.length; i++) histogram.data[i] = macd.data[i]! - sig.data[i]!;
  return { macd, signal: sig, histogram };
}

export const MacdKernel: Kernel<Matrix, MacdParams, MacdOutput> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: macdCpu,
  // macd = ema_fast - ema_slow = gap_slow - gap_fast, the gaps x - ema driven by Float64 changes (emaGapChunkTf),
  // so float32 holds digits of the moves, not of the price level; the signal is the blocked EMA scan of macd.
  async tfjs(tf, close, p) {
    const [af, as, ag] = [emaAlpha(p.fast), emaAlpha(p.slow), emaAlpha(p.signal)];
    const { rows, cols } = close;
    const last = new Float64Array(cols).fill(NaN);
    const macd = nanMatrix(rows, cols);
    const signal = nanMatrix(rows, cols);
    const histogram = nanMatrix(rows, cols);
    const g0 = emaStart(tf, cols);
    await scanChunks(
      tf,
      rows,
      scanRowsPerChunk(cols),
      { fast: tf.zeros([cols]), slow: tf.zeros([cols]), level: g0.level, seen: g0.seen },
      (from, to, c) => {
        const change = tf.tensor2d(changesSinceLast(close, from, to, last), [to - from, cols]);
        const fast = emaGapChunkTf(tf, change, af, c.fast);
        const slow = emaGapChunkTf(tf, change, as, c.slow);
        const m = tf.where(tf.isNaN(change), change, tf.sub(slow, fast));
        const g = emaChunkTf(tf, m, ag, { level: c.level, seen: c.seen });
        return {
          outputs: [m, g.value, tf.sub(m, g.value)],
          carry: { fast: lastRow(tf, fast), slow: lastRow(tf, slow), level: g.carry.level, seen: g.carry.seen },
        };
      },
      (from, _to, [m, g, h]) => {
        macd.data.set(m!, from * cols);
        signal.data.set(g!, from * cols);
        histogram.data.set(h!, from * cols);
      },
    );
    return { macd, signal, histogram };
  },
});
