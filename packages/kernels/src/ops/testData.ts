/** Deterministic test matrices: random-walk prices per column, with optional NaN holes and late starts. */
import { Rng } from '@arena/core';
import { type Matrix, matrix } from '../matrix.ts';

export function randomWalk(rows: number, cols: number, seed = 1, opts: { holes?: boolean; start?: number } = {}): Matrix {
  const rng = new Rng(seed);
  const m = matrix(rows, cols);
  for (let c = 0; c < cols; c++) {
    let p = (opts.start ?? 100) * (1 + c);
    for (let t = 0; t < rows; t++) {
      p *= Math.exp(0.01 * rng.normal());
      m.data[t * cols + c] = p;
    }
  }
  if (opts.holes) {
    // a late-starting column and a hole in the middle of another
    for (let t = 0; t < Math.min(rows, 30); t++) m.data[t * cols] = NaN;
    if (cols > 1) m.data[Math.floor(rows / 2) * cols + 1] = NaN;
  }
  return m;
}
