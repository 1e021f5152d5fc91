import { describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { RollingExtreme } from './rolling.ts';

describe('rolling state', () => {
  it('RollingExtreme equals a naive max/min over the window', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 2000 }, () => Math.round(rng.normal() * 10));
    for (const w of [1, 2, 7, 55]) {
      const mx = new RollingExtreme(w, 'max');
      const mn = new RollingExtreme(w, 'min');
      xs.forEach((x, i) => {
        mx.push(x);
        mn.push(x);
        const win = xs.slice(Math.max(0, i - w + 1), i + 1);
        expect(mx.value() === Math.max(...win)).toBe(true);
        expect(mn.value() === Math.min(...win)).toBe(true);
      });
    }
  });
});
