import { describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { ranks } from './predictive.ts';

/** Average ranks by the definition: sort the indices by value, give each run of equal values its mean position. */
function reference(x: Float64Array, n: number): Float64Array {
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const out = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]!] === x[idx[i]!]) j++;
    for (let k = i; k <= j; k++) out[idx[k]!] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

describe('ranks', () => {
  it('gives the mean rank of ties, for negatives, zeros of both signs, tiny and huge values', () => {
    const rng = new Rng(4);
    for (const n of [1, 2, 3, 50, 4999, 20_000]) {
      const x = Float64Array.from({ length: n + 7 }, () => {
        const r = rng.next();
        return r < 0.1 ? 0 : r < 0.15 ? -0 : r < 0.35 ? Math.round(rng.normal() * 3) : rng.normal() * (r < 0.4 ? 1e-300 : r > 0.95 ? 1e300 : 1);
      });
      const out = new Float64Array(n);
      ranks(x, n, out);
      expect(Array.from(out)).toEqual(Array.from(reference(x, n)));
    }
  });

  it('orders values that agree in their first 32 bits: short runs by insertion, long ones by radix passes on the low word', () => {
    const rng = new Rng(9);
    // short runs: pairs sharing sign, exponent and 20 mantissa bits; long run: 300 values within 1e-12 of 1
    const short = Float64Array.from({ length: 4000 }, (_, i) => (i % 2 === 0 ? rng.normal() : 0) + (i % 2 === 1 ? 1 + rng.next() * 1e-9 * (i % 7) : 0));
    const long = Float64Array.from({ length: 3000 }, (_, i) => (i < 300 ? 1 + rng.next() * 1e-12 : rng.normal()));
    // a long run of one value (ties) stays on the fast path and still gets its mean rank
    const tied = Float64Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 0.25 : rng.normal()));
    for (const x of [short, long, tied]) {
      const out = new Float64Array(x.length);
      ranks(x, x.length, out);
      expect(Array.from(out)).toEqual(Array.from(reference(x, x.length)));
    }
  });
});
