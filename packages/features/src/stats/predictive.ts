/** Predictive strength of a feature against forward returns: rank IC (Spearman) and mutual information. */

/**
 * Average ranks (ties share their mean rank), 0-based, of the first n values. sorted is scratch of length >= n.
 * A native typed-array sort, then two binary searches per value (no comparator callbacks).
 */
export function ranks(x: Float64Array, n: number, out: Float64Array, sorted: Float64Array): void {
  const s = sorted.subarray(0, n);
  s.set(x.subarray(0, n));
  s.sort();
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = (first + lo - 1) / 2;
  }
}

/** Pearson correlation of the first n values; 0 when either side is constant. */
export function pearson(x: Float64Array, y: Float64Array, n: number): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]! - mx;
    const b = y[i]! - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * Mutual information (nats) between two rank vectors binned into `bins` equal-count bins each, with the
 * Miller-Madow bias correction (bins - 1)^2 / (2n); never below 0. counts is scratch of length bins^2.
 */
export function binnedMutualInformation(rx: Float64Array, ry: Float64Array, n: number, bins: number, counts: Float64Array): number {
  counts.fill(0, 0, bins * bins);
  for (let i = 0; i < n; i++) {
    const bx = Math.min(bins - 1, Math.floor((rx[i]! / n) * bins));
    const by = Math.min(bins - 1, Math.floor((ry[i]! / n) * bins));
    counts[bx * bins + by]!++;
  }
  let mi = 0;
  for (let bx = 0; bx < bins; bx++) {
    let px = 0;
    for (let by = 0; by < bins; by++) px += counts[bx * bins + by]!;
    if (px === 0) continue;
    for (let by = 0; by < bins; by++) {
      const c = counts[bx * bins + by]!;
      if (c === 0) continue;
      let py = 0;
      for (let k = 0; k < bins; k++) py += counts[k * bins + by]!;
      mi += (c / n) * Math.log((c * n) / (px * py));
    }
  }
  return Math.max(0, mi - ((bins - 1) * (bins - 1)) / (2 * n));
}
