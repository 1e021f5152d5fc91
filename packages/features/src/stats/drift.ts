/** Drift tests on binned distributions: population stability index (PSI) and Kolmogorov-Smirnov on the bins. */

/** Interior quantile edges (bins - 1 of them) of the first n values; values sorted in place. */
export function quantileEdges(values: Float64Array, n: number, bins: number, out: Float64Array): void {
  const v = values.subarray(0, n).sort();
  for (let b = 1; b < bins; b++) out[b - 1] = v[Math.min(n - 1, Math.floor((b * n) / bins))]!;
}

/** Bin of x given interior edges (x < edges[0] -> 0, edges[i-1] <= x < edges[i] -> i). */
export function binOf(x: number, edges: Float64Array, nEdges: number): number {
  let lo = 0;
  let hi = nEdges;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const EPS = 1e-4;

/** PSI = sum (q - p) ln(q / p) over bins, from proportions p (reference) and q (recent). */
export function psi(p: Float64Array, q: Float64Array, bins: number): number {
  let s = 0;
  for (let b = 0; b < bins; b++) {
    const x = Math.max(p[b]!, EPS);
    const y = Math.max(q[b]!, EPS);
    s += (y - x) * Math.log(y / x);
  }
  return s;
}

/** KS distance between two binned distributions (largest gap of the cumulative proportions at the edges). */
export function ksBinned(p: Float64Array, q: Float64Array, bins: number): number {
  let cp = 0;
  let cq = 0;
  let d = 0;
  for (let b = 0; b < bins; b++) {
    cp += p[b]!;
    cq += q[b]!;
    d = Math.max(d, Math.abs(cp - cq));
  }
  return d;
}
