/** Out-of-sample quality of a signal against forward returns: Spearman rank IC and hit rate. */
import { pearson, ranks } from '../stats/predictive.ts';

export function rankIC(signal: Float64Array, fwd: Float64Array, n: number): number {
  const rx = new Float64Array(n);
  const ry = new Float64Array(n);
  const idx = new Float64Array(n);
  ranks(signal, n, rx, idx);
  ranks(fwd, n, ry, idx);
  return pearson(rx, ry, n);
}

/** Share of cells with a non-zero signal and a non-zero return whose signs agree. */
export function hitRate(signal: Float64Array, fwd: Float64Array, n: number): number {
  let hits = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const s = signal[i]!;
    const f = fwd[i]!;
    if (s === 0 || f === 0) continue;
    count++;
    if (s > 0 === f > 0) hits++;
  }
  return count > 0 ? hits / count : 0.5;
}
