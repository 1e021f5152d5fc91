/** Drift tests on binned distributions: population stability index (PSI) and Kolmogorov-Smirnov on the bins. */

/** Interior quantile edges (bins - 1 of them) of the first n values (finite); values reordered in place. */
export function quantileEdges(values: Float64Array, n: number, bins: number, out: Float64Array): void {
  // each edge is an order statistic: selected in place (the ranks ascend, so each search starts at the previous one)
  let lo = 0;
  for (let b = 1; b < bins; b++) {
    const k = Math.min(n - 1, Math.floor((b * n) / bins));
    selectKth(values, lo, n - 1, k);
    out[b - 1] = values[k]!;
    lo = k;
  }
}

/**
 * Quickselect (Hoare partitions around a median of three): afterwards values[k] holds the value a sort of
 * values[lo..hi] would put there, with no larger value before it and no smaller one after it.
 */
function selectKth(values: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // the median of the first, middle and last values as the pivot
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    // [lo, j] <= pivot <= [i, hi]; between them, values equal to the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
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
