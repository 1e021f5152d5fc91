import { describe, expect, it } from 'vitest';
import { EXPERT_NAMES, parseConfig } from '@arena/core';
import { equalRouting } from '@arena/router';
import { generateSyntheticMarket } from '@arena/streams';
import { attributionShares, auditRecords } from './audit.ts';
import { computeExperts, runBacktest } from './backtest.ts';
import { EVAL_STRATEGIES, evalFolds, runEval } from './eval/evaluate.ts';
import { simulate } from './simulate.ts';

const market = generateSyntheticMarket({ seed: 9, assets: 3, bars: 2500, timeframe: '1h' });
const panel = market.panel;
const config = parseConfig({});
const experts = computeExperts(panel, config);
const E = experts.length;
const A = panel.nAssets;

/** Router-like weights: a different one-hot-ish mix per bar and asset. */
function varyingWeights(): Float32Array {
  const w = new Float32Array(panel.nTimes * A * E);
  for (let c = 0; c < panel.nTimes * A; c++) {
    const k = (c * 7) % E;
    for (let e = 0; e < E; e++) w[c * E + e] = e === k ? 0.6 : 0.1;
  }
  return w;
}

describe('router weights in the engine', () => {
  it('constant dynamic weights reproduce the static-weight run exactly; varying ones change it', () => {
    const weights = Float64Array.from([0.4, 0.1, 0.2, 0.2, 0.1]);
    const dyn = new Float32Array(panel.nTimes * A * E);
    for (let c = 0; c < panel.nTimes * A; c++) dyn.set(weights, c * E);
    const fixed = simulate({ name: 's', panel, experts, weights: Float64Array.from(dyn.subarray(0, E)), config });
    const routed = simulate({ name: 'r', panel, experts, weights, dynamicWeights: dyn, config });
    expect(Array.from(routed.equity)).toEqual(Array.from(fixed.equity));
    const varied = simulate({ name: 'v', panel, experts, weights, dynamicWeights: varyingWeights(), config });
    expect(Array.from(varied.equity)).not.toEqual(Array.from(fixed.equity));
  });

  it('rejects weights of the wrong shape', () => {
    expect(() => simulate({ name: 'x', panel, experts, weights: new Float64Array(E), dynamicWeights: new Float32Array(7), config })).toThrow(/router weights hold 7 values/);
  });

  it('attributes a position to the experts pushing its way, in shares of the positive contributions', () => {
    const out = new Float64Array(3);
    expect(Array.from(attributionShares([0.5, 0.3, 0.2], [1, 0.5, -1], 1, out))).toEqual([0.5 / 0.65, 0.15 / 0.65, 0]);
    expect(Array.from(attributionShares([0.5, 0.3, 0.2], [1, 0.5, -1], -1, out))).toEqual([0, 0, 1]);
    expect(Array.from(attributionShares([1, 0, 0], [0, 0, 0], 1, out))).toEqual([0, 0, 0]);
  });

  it('writes one audit record per fill: the decision bar before it, its weights, exposures and attribution', async () => {
    const routing = { ...equalRouting(panel, 'test'), weights: varyingWeights(), source: 'model' as const };
    const result = await runBacktest({ panel, config, source: 'test', precomputed: { experts, routing, selections: [] } });
    const run = result.main;
    const records = result.decisions!;
    expect(records.length).toBe(run.nFills);
    expect(records.length).toBeGreaterThan(10);
    expect(auditRecords(panel, experts, routing, run, 64)).toEqual(records);
    for (let i = 0; i < records.length; i += 17) {
      const d = records[i]!;
      expect(d.t).toBe(run.fills.t[i]! - 1);
      const cell = d.t * A + d.asset;
      EXPERT_NAMES.forEach((name, e) => {
        expect(d.weights[name]).toBeCloseTo(routing.weights[cell * E + e]!, 6);
        expect(d.exposures[name]).toBeCloseTo(experts[e]!.exposure[cell]!, 6);
      });
      const shares = Object.values(d.attribution);
      const total = shares.reduce((s, v) => s + v, 0);
      if (total > 0) expect(total).toBeCloseTo(1, 5);
      expect(d.chart.bars).toBe(Math.min(64, d.t + 1));
    }
    expect(result.decisionCharts!.length).toBe(8);
    expect(Buffer.from(result.decisionCharts![0]!.png, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(result.routing!.meanWeights.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(result.baselines.map((b) => b.name)).toContain('static_weights');
  });
});

describe('eval', () => {
  it('runs every strategy on the same test bars; equal routing equals equal weight; the oracle bounds the rest', async () => {
    const routing = equalRouting(panel, 'equal');
    const r = await runEval({ panel, config, experts, routing, testFraction: 0.3, regimeTruth: market.regimes });
    expect(r.rows.map((x) => x.strategy)).toEqual([...EVAL_STRATEGIES]);
    const row = (s: string) => r.rows.find((x) => x.strategy === s)!;
    // equal routing is 1/5 in float32, equal weight 1/5 in float64: the same trades up to rounding
    expect(row('router').nFills).toBe(row('equal-weight').nFills);
    expect(row('router').totalReturn).toBeCloseTo(row('equal-weight').totalReturn, 6);
    for (const s of EVAL_STRATEGIES) if (s !== 'oracle') expect(row('oracle').totalReturn).toBeGreaterThan(row(s).totalReturn);
    expect(r.testRange.bars).toBe(panel.nTimes - Math.floor(panel.nTimes * 0.7));
    expect(r.testRange.from).toBe(new Date(panel.ts[Math.floor(panel.nTimes * 0.7)]!).toISOString());
    // uniform regime probabilities: argmax is always the first regime
    const ra = r.regimeAccuracy;
    expect(ra.hindsight.samples).toBeGreaterThan(1000);
    // always the first regime: its accuracy is that class's share, at most the majority rate; balanced 1 / classes seen
    expect(ra.hindsight.accuracy!).toBeLessThanOrEqual(ra.hindsight.majorityRate!);
    expect([1 / 2, 1 / 3, 1 / 4].some((v) => Math.abs(v - ra.hindsight.balancedAccuracy!) < 1e-12)).toBe(true);
    expect(ra.truth!.samples).toBe(ra.hindsight.samples);
    // equal routing against equal weight: the same trades, a difference the bootstrap puts well inside its noise
    expect(r.comparisons.map((c) => `${c.a}/${c.b}`)).toEqual(['router/equal-weight', 'router/static-fit']);
    const same = r.comparisons[0]!;
    expect(Math.abs(same.sharpeDiff)).toBeLessThan(1e-3);
    expect(same.ciLow).toBeLessThanOrEqual(0);
    expect(same.ciHigh).toBeGreaterThanOrEqual(0);
    expect(r.rows.every((x) => x.timeInMarket >= 0 && x.timeInMarket <= 1)).toBe(true);
    expect(r.folds[0]!.staticFitDeflated.trials).toBeGreaterThan(40);
    // the best expert is chosen among the experts alone (a subset of static-fit's candidates): fewer trials, and a
    // training Sharpe no better than static-fit's winner
    const bx = r.folds[0]!.bestExpertDeflated;
    expect(bx.trials).toBe(experts.length);
    expect(bx.sharpe).toBeLessThanOrEqual(r.folds[0]!.staticFitDeflated.sharpe + 1e-12);
    expect(bx.dsr).toBeGreaterThanOrEqual(0);
    expect(bx.dsr).toBeLessThanOrEqual(1);
    expect(r.curves.every((c) => c.equity.length === r.testRange.bars)).toBe(true);
  });

  it('every row but buy and hold runs the kill switch: a tight daily-loss limit halts them, counted per row', async () => {
    const tight = parseConfig({ risk: { maxDailyLoss: 0.002 } });
    const r = await runEval({ panel, config: tight, experts, routing: equalRouting(panel, 'equal'), testFraction: 0.3, resamples: 50 });
    const loose = await runEval({ panel, config, experts, routing: equalRouting(panel, 'equal'), testFraction: 0.3, resamples: 50 });
    const row = (x: typeof r, s: string) => x.rows.find((y) => y.strategy === s)!;
    for (const s of ['router', 'equal-weight', 'oracle']) {
      expect(row(r, s).halts).toBeGreaterThan(0);
      expect(row(loose, s).halts).toBe(0);
      // flat for the rest of each halted day: less time in the market than without the switch
      expect(row(r, s).timeInMarket).toBeLessThan(row(loose, s).timeInMarket);
    }
    expect(row(r, 'buy-and-hold').halts).toBe(0);
    expect(row(r, 'buy-and-hold').totalReturn).toBe(row(loose, 'buy-and-hold').totalReturn);
  });

  it('walk-forward refits on the bars before each block and chains the blocks over the second half', async () => {
    expect(evalFolds(1000, 0.3, 4)).toEqual([[500, 625], [625, 750], [750, 875], [875, 1000]]);
    const r = await runEval({ panel, config, experts, routing: equalRouting(panel, 'equal'), folds: 3 });
    expect(r.folds.length).toBe(3);
    expect(r.testRange.bars).toBe(panel.nTimes - Math.floor(panel.nTimes / 2));
    expect(r.folds[1]!.trainRange.bars).toBe(r.folds[0]!.trainRange.bars + r.folds[0]!.testRange.bars);
    expect(r.curves[0]!.equity.length).toBe(r.testRange.bars);
  });
});
