import { Rng } from '@arena/core';
import { RollingMomentsStream } from '@arena/kernels';
import { describe, expect, it } from 'vitest';
import { OwnBarsMoments } from './ownBarsMoments.ts';

const W = 50;

/** A random walk with constant stretches (the exact (v, 0) path) and, where `gaps`, a NaN in one row of five. */
function column(seed: number, n: number, gaps: boolean): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  let v = 100;
  for (let t = 0; t < n; t++) {
    if (!(t % 400 >= 300 && t % 400 < 360)) v += rng.normal();
    x[t] = gaps && rng.next() < 0.2 ? NaN : v;
  }
  return x;
}

describe('OwnBarsMoments: rolling moments over each column\'s own defined values', () => {
  it('without NaN it is RollingMomentsStream to the bit; with NaN rows, RollingMomentsStream over the column without them', () => {
    const n = 2000;
    for (const gaps of [false, true]) {
      const x = column(3, n, gaps);
      const own = new OwnBarsMoments(1, W);
      const ref = new RollingMomentsStream(1, W);
      const z = new Float64Array(1);
      const zRef = new Float64Array(1);
      let defined = 0;
      for (let t = 0; t < n; t++) {
        own.push(x, t);
        own.zScore(x, t, z, 0);
        if (x[t]! !== x[t]!) {
          expect(Number.isNaN(own.mean[0]!)).toBe(true);
          expect(Number.isNaN(z[0]!)).toBe(true);
          continue;
        }
        ref.push(x, t);
        ref.zScore(x, t, zRef, 0);
        expect([own.mean[0], own.m2[0], z[0]]).toEqual([ref.mean[0], ref.m2[0], zRef[0]]);
        if (Number.isFinite(z[0]!)) defined++;
      }
      // the gaps void nothing but their own rows: nearly every present row past the first window has a z-score
      expect(defined).toBeGreaterThan((gaps ? 0.8 * n : n) - W - 400);
    }
  });

  it('columns are independent: a NaN in one leaves the others as they are', () => {
    const a = column(5, 600, false);
    const b = column(6, 600, true);
    const both = new OwnBarsMoments(2, W);
    const alone = new OwnBarsMoments(1, W);
    const row = new Float64Array(2);
    for (let t = 0; t < 600; t++) {
      row[0] = a[t]!;
      row[1] = b[t]!;
      both.push(row, 0);
      alone.push(a, t);
      expect(both.mean[0]).toBe(alone.mean[0]);
      expect(both.m2[0]).toBe(alone.m2[0]);
    }
  });
});
