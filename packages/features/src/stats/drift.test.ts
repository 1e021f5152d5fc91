import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { quantileEdges } from './drift.ts';

describe('quantileEdges', () => {
  it('selects the order statistics a full sort gives: continuous values, heavy ties, sorted and reversed input, tiny n', () => {
    const rng = new Rng(3);
    const cases: Float64Array[] = [];
    for (const n of [1, 2, 3, 9, 10, 11, 57, 500, 5003]) {
      cases.push(Float64Array.from({ length: n }, () => rng.next() * 2 - 1));
      // a discrete feature: few distinct values, most of them tied
      cases.push(Float64Array.from({ length: n }, () => Math.floor(rng.next() * 3)));
      cases.push(Float64Array.from({ length: n }, (_, i) => i));
      cases.push(Float64Array.from({ length: n }, (_, i) => n - i));
      cases.push(new Float64Array(n).fill(7));
    }
    for (const values of cases) {
      const n = values.length;
      const sorted = Float64Array.from(values).sort();
      const want = Array.from({ length: 9 }, (_, b) => sorted[Math.min(n - 1, Math.floor(((b + 1) * n) / 10))]!);
      const got = new Float64Array(9);
      const work = Float64Array.from(values);
      quantileEdges(work, n, 10, got);
      expect(Array.from(got)).toEqual(want);
      // reordered, not changed
      expect(Array.from(work).sort((a, b) => a - b)).toEqual(Array.from(sorted));
    }
  });
});
