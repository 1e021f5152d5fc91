/** Predictive strength of a feature against forward returns: rank IC (Spearman) and mutual information. */

/** Scratch of the sorts, grown on demand (ranks is called thousands of times per selection). */
let keyHi = new Uint32Array(0);
let keyLo = new Uint32Array(0);
let order = new Uint32Array(0);
let tmpHi = new Uint32Array(0);
let tmpOrder = new Uint32Array(0);
let runKey = new Uint32Array(0);
let runOrder = new Uint32Array(0);
let runKey2 = new Uint32Array(0);
let runOrder2 = new Uint32Array(0);
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const DIGIT = 11;
const BUCKETS = 1 << DIGIT;
const counts = new Uint32Array(BUCKETS);
/** a run of equal high words up to this long is ordered by insertion, a longer one by radix passes on the low word */
const LONG_RUN = 32;

/**
 * Average ranks (ties share their mean rank), 0-based, of the first n values (finite). `sorted` is kept for the
 * callers' scratch but unused. The values' IEEE bits, made order-preserving as unsigned 64-bit keys (hi:lo), are
 * sorted with their indices: by the high word (sign, exponent, 20 mantissa bits) in three LSD radix passes, then
 * each run of equal high words by the low word (insertion for a short run, three radix passes for a long one).
 * Equal values then share their mean rank.
 */
export function ranks(x: Float64Array, n: number, out: Float64Array, _sorted?: Float64Array): void {
  if (keyHi.length < n) {
    const m = Math.max(n, 2 * keyHi.length);
    const grown = () => new Uint32Array(m);
    [keyHi, keyLo, order, tmpHi, tmpOrder] = [grown(), grown(), grown(), grown(), grown()];
    [runKey, runOrder, runKey2, runOrder2] = [grown(), grown(), grown(), grown()];
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
  const [srcKey, srcOrder] = radixSort(keyHi, order, tmpHi, tmpOrder, n);
  for (let i = 0; i < n; ) {
    const h = srcKey[i]!;
    let j = i + 1;
    while (j < n && srcKey[j] === h) j++;
    if (j - i > LONG_RUN) sortRunByLow(srcOrder, i, j);
    else {
      for (let a = i + 1; a < j; a++) {
        const o = srcOrder[a]!;
        const l = keyLo[o]!;
        let b = a - 1;
        while (b >= i && keyLo[srcOrder[b]!]! > l) {
          srcOrder[b + 1] = srcOrder[b]!;
          b--;
        }
        srcOrder[b + 1] = o;
      }
    }
    i = j;
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

/**
 * One stable LSD pass on bits [shift, shift + 11) of the first n keys (fewer above bit 32), carrying the order
 * along; false (nothing moved) when every key has the same digit.
 */
function radixPass(srcKey: Uint32Array, srcOrder: Uint32Array, dstKey: Uint32Array, dstOrder: Uint32Array, n: number, shift: number): boolean {
  const mask = shift + DIGIT > 32 ? (1 << (32 - shift)) - 1 : BUCKETS - 1;
  counts.fill(0, 0, mask + 1);
  for (let i = 0; i < n; i++) counts[(srcKey[i]! >>> shift) & mask]!++;
  if (counts[(srcKey[0]! >>> shift) & mask] === n) return false;
  let sum = 0;
  for (let b = 0; b <= mask; b++) {
    const c = counts[b]!;
    counts[b] = sum;
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const k = srcKey[i]!;
    const p = counts[(k >>> shift) & mask]!++;
    dstKey[p] = k;
    dstOrder[p] = srcOrder[i]!;
  }
  return true;
}

/** Orders sorted[i, j) (a run of equal high words) by the low word, with radix passes over the run alone. */
function sortRunByLow(sorted: Uint32Array, i: number, j: number): void {
  const m = j - i;
  for (let k = 0; k < m; k++) {
    const o = sorted[i + k]!;
    runKey[k] = keyLo[o]!;
    runOrder[k] = o;
  }
  const [, byLow] = radixSort(runKey, runOrder, runKey2, runOrder2, m);
  sorted.set(byLow.subarray(0, m), i);
}

/**
 * LSD radix sort of the first n 32-bit keys with their order (three passes: 11, 11, 10 bits), ping-ponging between
 * the two pairs of arrays; returns the pair that holds the result.
 */
function radixSort(key: Uint32Array, ord: Uint32Array, key2: Uint32Array, ord2: Uint32Array, n: number): [Uint32Array, Uint32Array] {
  let [srcKey, srcOrder, dstKey, dstOrder] = [key, ord, key2, ord2];
  for (let shift = 0; shift < 32; shift += DIGIT) {
    if (radixPass(srcKey, srcOrder, dstKey, dstOrder, n, shift)) {
      [srcKey, dstKey] = [dstKey, srcKey];
      [srcOrder, dstOrder] = [dstOrder, srcOrder];
    }
  }
  return [srcKey, srcOrder];
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
