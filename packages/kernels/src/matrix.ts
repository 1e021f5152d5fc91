/** Matrices of the kernels: time-major like BarPanel ([t * cols + c]); rows are bars, columns are assets (or agents). */

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** row-major: element (t, c) at [t * cols + c]; NaN marks a missing value or an undefined output */
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data !== undefined && data.length !== rows * cols) {
    throw new Error(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** A matrix filled with NaN (the value of every output cell a kernel does not define). */
export function nanMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols).fill(NaN) };
}


/** Largest |a - b| / max(1, |b|) over cells where either is finite; NaN must match NaN. */
export function maxRelativeError(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    const xn = Number.isNaN(x);
    const yn = Number.isNaN(y);
    if (xn || yn) {
      if (xn !== yn) return Infinity;
      continue;
    }
    const e = Math.abs(x - y) / Math.max(1, Math.abs(y));
    if (e > worst) worst = e;
  }
  return worst;
}
