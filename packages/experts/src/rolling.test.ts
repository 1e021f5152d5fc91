import { describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { RollingChannel, RollingExtreme, RollingWindow } from './rolling.ts';

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

  it('RollingChannel equals a naive highest high and lowest low', () => {
    const rng = new Rng(5);
    const highs = Array.from({ length: 1500 }, () => rng.normal() * 10);
    const lows = highs.map((h) => h - Math.abs(rng.normal()));
    for (const w of [1, 3, 20]) {
      const ch = new RollingChannel(w);
      highs.forEach((h, i) => {
        ch.push(h, lows[i]!);
        const from = Math.max(0, i - w + 1);
        expect(ch.upper() === Math.max(...highs.slice(from, i + 1))).toBe(true);
        expect(ch.lower() === Math.min(...lows.slice(from, i + 1))).toBe(true);
      });
    }
  });

  it('RollingWindow mean and variance match a direct computation, also at price levels of 1e5', () => {
    const rng = new Rng(4);
    const xs = Array.from({ length: 3000 }, (_, i) => 100_000 + i + rng.normal() * 50);
    const win = new RollingWindow(20);
    xs.forEach((x, i) => {
      win.push(x);
      if (i < 19) return;
      const w = xs.slice(i - 19, i + 1);
      const m = w.reduce((s, v) => s + v, 0) / 20;
      const v = w.reduce((s, u) => s + (u - m) ** 2, 0) / 20;
      expect(win.mean()).toBeCloseTo(m, 6);
      expect(win.variance() / v).toBeCloseTo(1, 6);
    });
  });
});
