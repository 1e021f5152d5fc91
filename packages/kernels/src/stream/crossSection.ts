/** The cross-sectional kernels on one row (ops/crossSection.ts): they read nothing but the row, so a row is a stream. */

/** Ranks of the row's finite values scaled to [0, 1] (ties share their mean rank; a lone value is 0.5). */
export class CrossSectionalRankRow {
  private readonly order: number[] = [];

  constructor(readonly cols: number) {}

  push(x: ArrayLike<number>, xOff: number, out: Float64Array, outOff: number): void {
    const { cols, order } = this;
    out.fill(NaN, outOff, outOff + cols);
    order.length = 0;
    for (let c = 0; c < cols; c++) if (x[xOff + c]! === x[xOff + c]!) order.push(c);
    const n = order.length;
    if (n === 1) out[outOff + order[0]!] = 0.5;
    if (n < 2) return;
    order.sort((a, b) => x[xOff + a]! - x[xOff + b]!);
    for (let i = 0; i < n; ) {
      let j = i;
      while (j + 1 < n && x[xOff + order[j + 1]!]! === x[xOff + order[i]!]!) j++;
      const rank = (i + j) / 2 / (n - 1);
      for (let k = i; k <= j; k++) out[outOff + order[k]!] = rank;
      i = j + 1;
    }
  }
}

/** (x - mean) / population std over the row's finite values; NaN when they are all equal or none is finite. */
export function crossSectionalZScoreRow(x: ArrayLike<number>, xOff: number, cols: number, out: Float64Array, outOff: number): void {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let c = 0; c < cols; c++) {
    const v = x[xOff + c]!;
    if (v !== v) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0 || min === max) {
    out.fill(NaN, outOff, outOff + cols);
    return;
  }
  const mean = sum / n;
  let ss = 0;
  for (let c = 0; c < cols; c++) {
    const v = x[xOff + c]!;
    if (v === v) ss += (v - mean) * (v - mean);
  }
  const std = Math.sqrt(ss / n);
  for (let c = 0; c < cols; c++) out[outOff + c] = (x[xOff + c]! - mean) / std;
}
