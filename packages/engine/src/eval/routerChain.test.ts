import { BarPanel } from '@arena/core';
import { N_REGIMES, type RoutingSeries, equalRouting } from '@arena/router';
import { describe, expect, it } from 'vitest';
import { evalFolds } from './evaluate.ts';
import { chainRouting } from './routerChain.ts';

const H = 3_600_000;
const T = 100;
const A = 2;
const E = 5;
const panel = new BarPanel(['A', 'B'], '1h', Float64Array.from({ length: T }, (_, t) => Date.UTC(2025, 0, 1) + t * H));

/** A router that gives every expert the weight `w` and every regime the probability `p` on every bar. */
function constant(w: number, p: number): RoutingSeries {
  const r = equalRouting(panel, 'fold', undefined, E);
  return { ...r, source: 'model', weights: r.weights.fill(w), regime: r.regime.fill(p) };
}

describe('chainRouting: each fold routed by the router trained before it, equal weights before the first', () => {
  const bounds = evalFolds(T, 0.3, 3); // test folds start at bars 50, 66, 83

  it("takes fold k's weights and regimes from fold k's start to fold k + 1's, equal and uniform before fold 1", () => {
    const chained = chainRouting(panel, bounds, [constant(0.1, 0.1), constant(0.2, 0.2), constant(0.3, 0.3)], E);
    const weightAt = (t: number) => chained.weights[(t * A + 1) * E + 2]!;
    const regimeAt = (t: number) => chained.regime[(t * A + 1) * N_REGIMES + 3]!;
    expect([0, 49].map(weightAt)).toEqual([0.2, 0.2].map(Math.fround));
    expect([0, 49].map(regimeAt)).toEqual([0.25, 0.25]);
    expect([50, 65].map(weightAt)).toEqual([0.1, 0.1].map(Math.fround));
    expect([66, 82].map(weightAt)).toEqual([0.2, 0.2].map(Math.fround));
    expect([83, 99].map(weightAt)).toEqual([0.3, 0.3].map(Math.fround));
    expect([50, 66, 99].map(regimeAt)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(chained.source).toBe('model');
    expect(chained.note).toMatch(/3 routers, each trained on the bars before its fold; equal weights before 2025-01-03/);
  });

  it('refuses a routing per fold that does not match the folds or the panel', () => {
    expect(() => chainRouting(panel, bounds, [constant(0.1, 0.1)], E)).toThrow(/3 folds, 1 routings/);
    const short = { ...constant(0.1, 0.1), weights: new Float32Array(10) };
    expect(() => chainRouting(panel, bounds.slice(0, 1), [short], E)).toThrow(/fold 1's routing covers 1 bars, the panel 100/);
  });
});
