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
 * callers' scratch but unused. The values' IEEE bits, made order-preserving as unsigned integers, are sorted with
 * their indices: first by the high word alone (sign, exponent and 20 mantissa bits; three LSD radix passes), then
 * each run of equal high words by the low word with an insertion sort. A run longer than LONG_RUN of values that
 * agree in their first 32 bits but differ after (rare in real features; ties are fine) sends the whole call to the
 * full 64-bit sort (six passes).
 * Equal values then get their mean rank. Both paths give the same ranks.
 */
export function ranks(x: Float64Array, n: number, out: Float64Array, _sorted?: Float64Array): void {
  grow(n);
  if (sortByHighWord(x, n)) meanRanks(x, n, hiOrder, out);
  else sortFull(x, n, out);
}

/** The longest run of equal high words sorted by insertion; a longer one falls back to the full sort. */
const LONG_RUN = 32;
let hiOrder = new Uint32Array(0);

function grow(n: number): void {
  if (keyHi.length >= n) return;
  const m = Math.max(n, 2 * keyHi.length);
  [keyHi, keyLo, order, tmpHi, tmpLo, tmpOrder] = [new Uint32Array(m), new Uint32Array(m), new Uint32Array(m), new Uint32Array(m), new Uint32Array(m), new Uint32Array(m)];
}

/** Order-preserving 64-bit keys of the values (hi:lo) and the identity order. */
function fillKeys(x: Float64Array, n: number): void {
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
}

/**
 * Sorts the indices by the high word (radix passes of 11, 11 and 10 bits), then each run of equal high words by the
 * low word; leaves the order in hiOrder. False (nothing usable) when a run is longer than LONG_RUN.
 */
function sortByHighWord(x: Float64Array, n: number): boolean {
  fillKeys(x, n);
  let srcKey = keyHi;
  let srcOrder = order;
  let dstKey = tmpHi;
  let dstOrder = tmpOrder;
  for (let shift = 0; shift < 32; shift += DIGIT) {
    const mask = shift + DIGIT > 32 ? (1 << (32 - shift)) - 1 : BUCKETS - 1;
    counts.fill(0, 0, mask + 1);
    for (let i = 0; i < n; i++) counts[(srcKey[i]! >>> shift) & mask]!++;
    // a pass where every key has the same digit moves nothing
    if (counts[(srcKey[0]! >>> shift) & mask] === n) continue;
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
    [srcKey, dstKey] = [dstKey, srcKey];
    [srcOrder, dstOrder] = [dstOrder, srcOrder];
  }
  for (let i = 0; i < n; ) {
    const h = srcKey[i]!;
    let j = i + 1;
    while (j < n && srcKey[j] === h) j++;
    if (j - i > LONG_RUN) {
      // a long run of one value (ties: zeros, a clipped bound) needs no order; any other long run does
      const l = keyLo[srcOrder[i]!]!;
      for (let a = i + 1; a < j; a++) if (keyLo[srcOrder[a]!] !== l) return false;
      i = j;
      continue;
    }
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
    i = j;
  }
  hiOrder = srcOrder;
  return true;
}

/** srcOrder: indices by ascending value; a run of equal values shares its mean rank. */
function meanRanks(x: Float64Array, n: number, srcOrder: Uint32Array, out: Float64Array): void {
  for (let i = 0; i < n; ) {
    let j = i;
    const v = x[srcOrder[i]!]!;
    while (j + 1 < n && x[srcOrder[j + 1]!]! === v) j++;
    const r = (i + j) / 2;
    for (let k = i; k <= j; k++) out[srcOrder[k]!] = r;
    i = j + 1;
  }
}

/** The full LSD radix sort of the 64-bit keys (six passes of 11 bits), then the mean ranks. */
function sortFull(x: Float64Array, n: number, out: Float64Array): void {
  fillKeys(x, n);
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
  meanRanks(x, n, srcOrder, out);
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
