import { fileURLToPath } from 'node:url';
import { BarPanel, parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { type ExpertSpec, SpecExpert, resolveParams, specProblem } from './sdk.ts';
import { loadUserExpert } from './userModule.ts';
import { runExpertBatch } from './expert.ts';

const BOLLINGER = fileURLToPath(new URL('../../../examples/experts/bollinger.ts', import.meta.url));

describe('expert SDK', () => {
  it('params: defaults, overrides, and every kind of bad value refused with the param named', () => {
    const spec: ExpertSpec = { params: { n: { default: 5, min: 2, max: 9, int: true }, mode: { default: 'fast', choices: ['fast', 'slow'] }, on: { default: true } }, step: () => 0 };
    expect(specProblem(spec)).toBeUndefined();
    expect(resolveParams(spec, {})).toEqual({ n: 5, mode: 'fast', on: true });
    expect(resolveParams(spec, { n: 9, mode: 'slow', on: false })).toEqual({ n: 9, mode: 'slow', on: false });
    expect(() => resolveParams(spec, { n: 10 })).toThrow('param n must be <= 9, got 10');
    expect(() => resolveParams(spec, { n: 2.5 })).toThrow('param n must be an integer, got 2.5');
    expect(() => resolveParams(spec, { mode: 'medium' })).toThrow('param mode must be one of "fast", "slow", got "medium"');
    expect(() => resolveParams(spec, { on: 1 })).toThrow('param on must be a boolean, got 1');
    expect(() => resolveParams(spec, { x: 1 })).toThrow('param x is not declared (it declares n, mode, on)');
    expect(specProblem({ params: { g: { default: 1, log: true } }, step: () => 0 })).toBe('param g is log-scaled, so it needs min > 0');
    expect(specProblem({ params: { g: { default: 1, min: 3, max: 2 } }, step: () => 0 })).toMatch(/param g's default: must be >= 3/);
  });

  it('runs one step per present bar per asset, holds 0 through the warm-up, clamps, repeats over a missing bar', () => {
    const ts = Float64Array.from({ length: 6 }, (_, t) => t * 3_600_000);
    const panel = new BarPanel(['A', 'B'], '1h', ts);
    for (let t = 0; t < 6; t++) {
      for (let a = 0; a < 2; a++) {
        if (a === 1 && t === 3) continue;
        const i = t * 2 + a;
        panel.open[i] = panel.high[i] = panel.low[i] = panel.close[i] = 10 + t;
        panel.volume[i] = 1;
        panel.present[i] = 1;
      }
    }
    const calls: string[] = [];
    const spec: ExpertSpec<Record<string, never>, { n: number }> = {
      warmup: 2,
      init: (_p, ctx) => ({ n: ctx.asset * 100 }),
      step: (s, bar) => {
        calls.push(`${bar.symbol}@${bar.t}`);
        s.n++;
        return { exposure: s.n * 0.4, confidence: 2 };
      },
    };
    const x = new SpecExpert('counter', spec as ExpertSpec, {});
    const out = runExpertBatch(x, panel, { nAssets: 2, periodsPerYear: 8760 });
    expect(calls.filter((c) => c.startsWith('B'))).toEqual(['B@0', 'B@1', 'B@2', 'B@4', 'B@5']);
    // A: 0.4, 0.8 (bar 2 is the warm-up's end: its count 2 >= 2), then clamped at 1
    expect(Array.from({ length: 6 }, (_, t) => out.exposure[t * 2]!)).toEqual([0, 0.8, 1, 1, 1, 1]);
    expect(out.exposure[3 * 2 + 1]).toBe(out.exposure[2 * 2 + 1]); // B's missing bar repeats its last output
    expect(out.confidence[5 * 2]).toBe(1);
  });

  it('the Bollinger example of docs/experts.md loads, leans against stretched closes, and agrees batch vs bar by bar', async () => {
    const config = parseConfig({ experts: { custom: [{ name: 'bollinger', module: BOLLINGER, params: { window: 30 } }] } });
    const user = await loadUserExpert(config.experts.custom[0]!);
    expect(user.params).toEqual({ window: 30, entryZ: 2, fullZ: 3, exitZ: 0.5 });
    const { panel } = generateSyntheticMarket({ seed: 3, assets: 3, bars: 2000, timeframe: '1h' });
    const ctx = { nAssets: 3, periodsPerYear: panel.periodsPerYear() };
    const batch = runExpertBatch(user.create(), panel, ctx);
    const stepped = user.create();
    stepped.reset(ctx);
    const x = new Float64Array(3);
    const c = new Float64Array(3);
    let agree = true;
    let shortAboveBand = 0;
    for (let t = 0; t < panel.nTimes; t++) {
      for (let a = 0; a < 3; a++) stepped.advance(panel, a, t, t + 1, x, c, 0);
      for (let a = 0; a < 3; a++) {
        if (x[a] !== batch.exposure[t * 3 + a]) agree = false;
        if (x[a]! < 0) shortAboveBand++;
      }
    }
    expect(agree).toBe(true);
    expect(shortAboveBand).toBeGreaterThan(50);
    // when it is short, the close is above its 30-bar mean (it leans against the stretch)
    let wrongSide = 0;
    for (let t = 30; t < panel.nTimes; t++) {
      for (let a = 0; a < 3; a++) {
        let m = 0;
        for (let k = t - 29; k <= t; k++) m += panel.close[k * 3 + a]!;
        m /= 30;
        const e = batch.exposure[t * 3 + a]!;
        const justEntered = e !== batch.exposure[(t - 1) * 3 + a];
        if (justEntered && e < 0 && panel.close[t * 3 + a]! < m) wrongSide++;
      }
    }
    expect(wrongSide).toBe(0);
  });
});
