/** Predictive strength of a feature against forward returns: rank IC (Spearman) and mutual information. */

/** Scratch of the radix sort, grown on demand (ranks is called thousands of times per selection). */
let keyHi = new Uint32Array(0);
let keyLo = new Uint32Array(0);
let order = new Uint32Array(0);
let tmpHi = new Uint32Array(0);
let tmpLo = new Uint32Array(0);
let tmpOrder = new Uint32Array(0);
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const DIGIT = 11;
const BUCKETS = 1 << DIGIT;
const counts = new Uint32Array(BUCKETS);

let digitScratch = new Uint16Array(0);

/** Bits [shift, shift + DIGIT) of each 64-bit key (hi:lo). */
function digits(hi: Uint32Array, lo: Uint32Array, n: number, shift: number): Uint16Array {
  if (digitScratch.length < n) digitScratch = new Uint16Array(Math.max(n, 2 * digitScratch.length));
  const d = digitScratch;
  const mask = BUCKETS - 1;
  if (shift + DIGIT <= 32) for (let i = 0; i < n; i++) d[i] = (lo[i]! >>> shift) & mask;
  else if (shift >= 32) for (let i = 0; i < n; i++) d[i] = (hi[i]! >>> (shift - 32)) & mask;
  else for (let i = 0; i < n; i++) d[i] = ((lo[i]! >>> shift) | (hi[i]! << (32 - shift))) & mask;
  return d;
}

/**
 * Average ranks (ties share their mean rank), 0-based, of the first n values (finite). `sorted` is kept for the
 * callers' scratch but unused: the values' IEEE bits, made order-preserving as unsigned integers, are sorted with
 * their indices by an LSD radix sort (six passes of 11 bits), then equal values are given their mean rank.
 */
export function ranks(x: Float64Array, n: number, out: Float64Array, _sorted?: Float64Array): void {
  if (keyHi.length < n) {
    const m = Math.max(n, 2 * keyHi.length);
    [keyHi, keyLo, order, tmpHi, tmpLo, tmpOrder] = [new Uint32Array(m), new Uint32Array(m), new Uint32Array(m), new Uint32Array(m), new Uint32Array(m), new Uint32Array(m)];
  }
  for (let i = 0; i < n; i++) {
    bits[0] = x[i]!;
    // little-endian: words[1] holds the sign and exponent
    let hi = words[1]!;
    let lo = words[0]!;
    if (hi & 0x80000000) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    } else hi = (hi | 0x80000000) >>> 0;
    keyHi[i] = hi;
    keyLo[i] = lo;
    order[i] = i;
  }
  let srcHi = keyHi;
  let srcLo = keyLo;
  let srcOrder = order;
  let dstHi = tmpHi;
  let dstLo = tmpLo;
  let dstOrder = tmpOrder;
  for (let shift = 0; shift < 64; shift += DIGIT) {
    // the pass's digit of every key, once (a digit may straddle the two words)
    const d = digits(srcHi, srcLo, n, shift);
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[d[i]!]!++;
    // a pass where every key has the same digit moves nothing
    if (counts[d[0]!] === n) continue;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const p = counts[d[i]!]!++;
      dstHi[p] = srcHi[i]!;
      dstLo[p] = srcLo[i]!;
      dstOrder[p] = srcOrder[i]!;
    }
    [srcHi, dstHi] = [dstHi, srcHi];
    [srcLo, dstLo] = [dstLo, srcLo];
    [srcOrder, dstOrder] = [dstOrder, srcOrder];
  }
  // srcOrder: indices by ascending value; a run of equal values shares its mean rank
  for (let i = 0; i < n; ) {
    let j = i;
    const v = x[srcOrder[i]!]!;
    while (j + 1 < n && x[srcOrder[j + 1]!]! === v) j++;
    const r = (i + j) / 2;
    for (let k = i; k <= j; k++) out[srcOrder[k]!] = r;
    i = j + 1;
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
