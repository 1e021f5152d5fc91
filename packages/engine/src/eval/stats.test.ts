import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { barReturns, classScores, compareSharpe, deflatedSharpe, normalCdf, normalQuantile, stationaryResample } from './stats.ts';

/** AR(1) noise plus a drift: autocorrelated returns, as strategy returns are. */
function returns(rng: Rng, n: number, drift: number, common?: Float64Array): Float64Array {
  const r = new Float64Array(n);
  let x = 0;
  for (let t = 0; t < n; t++) {
    x = 0.3 * x + rng.normal() * 0.01;
    r[t] = drift + x + (common ? common[t]! : 0);
  }
  return r;
}

describe('normal distribution', () => {
  it('CDF and quantile match tabulated values and invert each other', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644853627)).toBeCloseTo(0.05, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
    for (const p of [0.0001, 0.01, 0.3, 0.5, 0.77, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });
});

describe('stationary bootstrap', () => {
  it('draws blocks of consecutive bars whose mean length is the one asked for', () => {
    const rng = new Rng(3);
    const idx = new Int32Array(20_000);
    stationaryResample(idx.length, 12, rng, idx);
    let breaks = 0;
    for (let i = 1; i < idx.length; i++) if (idx[i] !== (idx[i - 1]! + 1) % idx.length) breaks++;
    expect(idx.length / (breaks + 1)).toBeGreaterThan(10.5);
    expect(idx.length / (breaks + 1)).toBeLessThan(13.5);
  });

  it('a real edge: the interval lies above 0 and the p-value is small; no edge: the interval covers 0', () => {
    const rng = new Rng(7);
    const T = 4000;
    const market = returns(rng, T, 0);
    const good = returns(rng, T, 0.002, market);
    const base = returns(rng, T, 0, market);
    const c = compareSharpe('good', good, 'base', base, 252);
    expect(c.sharpeDiff).toBeGreaterThan(0);
    expect(c.ciLow).toBeGreaterThan(0);
    expect(c.pValue).toBeLessThan(0.01);
    expect(c.ciLow).toBeLessThan(c.sharpeDiff);
    expect(c.ciHigh).toBeGreaterThan(c.sharpeDiff);
    // two skill-less strategies: over 40 seeds the 90% interval covers 0 in most (about 90%) of them
    let covered = 0;
    let small = 0;
    for (let s = 0; s < 40; s++) {
      const r = new Rng(100 + s);
      const m = returns(r, 1500, 0);
      const x = compareSharpe('x', returns(r, 1500, 0.0002, m), 'y', returns(r, 1500, 0.0002, m), 252, { resamples: 400, seed: s });
      if (x.ciLow <= 0 && x.ciHigh >= 0) covered++;
      if (x.pValue < 0.1) small++;
    }
    expect(covered).toBeGreaterThanOrEqual(32);
    expect(small).toBeLessThanOrEqual(8);
  });

  it('the p-value and the interval agree (p below 1 - level when the interval leaves 0 out), also when one side mostly holds the other', () => {
    const rng = new Rng(5);
    const B = 500;
    const slack = 2 / (B + 1); // the one resample counted on each side
    let excluded = 0;
    for (let s = 0; s < 60; s++) {
      const T = 1200;
      const market = returns(rng, T, 0.0003);
      // a holds the market but on ~2% of the bars, where it holds a volatile loser (as a contest holds its
      // benchmark): the resampled differences are skewed
      const own = returns(rng, T, -0.002).map((x) => x * 5);
      const a = market.map((m, t) => (rng.next() < 0.02 ? own[t]! : m));
      const c = compareSharpe('a', a, 'b', market, 252, { resamples: B, seed: s });
      const out = c.ciLow > 0 || c.ciHigh < 0;
      if (out) {
        excluded++;
        expect(c.pValue, `seed ${s}: interval [${c.ciLow}, ${c.ciHigh}]`).toBeLessThanOrEqual(1 - c.level + slack);
      } else expect(c.pValue, `seed ${s}: interval [${c.ciLow}, ${c.ciHigh}]`).toBeGreaterThanOrEqual(1 - c.level - slack);
      expect(c.pValue).toBeGreaterThan(0);
      expect(c.pValue).toBeLessThanOrEqual(1);
    }
    // both kinds occur, so both branches were checked
    expect(excluded).toBeGreaterThan(5);
    expect(excluded).toBeLessThan(55);
  });

  it('refuses series of different lengths', () => {
    expect(() => compareSharpe('a', new Float64Array(3), 'b', new Float64Array(4), 252)).toThrow(/a has 3 bars, b has 4/);
  });
});

describe('deflated Sharpe ratio', () => {
  it('the best of many skill-less tries is not significant; a strong single strategy is', () => {
    const rng = new Rng(11);
    const T = 1000;
    const trials = Array.from({ length: 100 }, () => returns(rng, T, 0));
    const sharpes = trials.map((r) => {
      const m = r.reduce((s, x) => s + x, 0) / T;
      const sd = Math.sqrt(r.reduce((s, x) => s + (x - m) ** 2, 0) / (T - 1));
      return m / sd;
    });
    const best = sharpes.indexOf(Math.max(...sharpes));
    const lucky = deflatedSharpe(trials[best]!, sharpes, 252);
    expect(lucky.sharpe).toBeGreaterThan(lucky.expectedMaxSharpe * 0.5);
    expect(lucky.dsr).toBeLessThan(0.95);
    const strong = deflatedSharpe(returns(rng, T, 0.004), sharpes, 252);
    expect(strong.dsr).toBeGreaterThan(0.99);
    expect(lucky.expectedMaxSharpeAnnual).toBeCloseTo(lucky.expectedMaxSharpe * Math.sqrt(252), 10);
  });
});

describe('class scores', () => {
  it('always answering the majority class scores its rate, and 1 / present classes in balanced accuracy', () => {
    const actual = [2, 2, 2, 2, 2, 2, 0, 1, 3, 2];
    const always = classScores(actual.map(() => 2), actual, 4);
    expect(always.accuracy).toBeCloseTo(0.7, 12);
    expect(always.majorityRate).toBeCloseTo(0.7, 12);
    expect(always.majorityClass).toBe(2);
    expect(always.balancedAccuracy).toBeCloseTo(0.25, 12);
    const perfect = classScores(actual, actual, 4);
    expect([perfect.accuracy, perfect.balancedAccuracy]).toEqual([1, 1]);
    expect(classScores([], [], 4).accuracy).toBeNull();
  });

  it('barReturns reads an equity curve from the initial cash', () => {
    expect([...barReturns(Float64Array.of(110, 99), 100)].map((x) => x.toFixed(6))).toEqual(['0.100000', '-0.100000']);
  });
});
