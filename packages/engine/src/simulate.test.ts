import { describe, expect, it } from 'vitest';
import { parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { computeExperts, runBacktest } from './backtest.ts';
import { expertWeights } from './staticWeights.ts';
import { projectTargets } from './portfolio.ts';
import { simulate } from './simulate.ts';

describe('portfolio projection', () => {
  it('maps exposure 1 to a slot of maxGross / nAssets, clips shorts when long-only, caps per asset and gross', () => {
    const out = new Float64Array(4);
    const limits = parseConfig({ portfolio: { maxGross: 2, maxPerAsset: 0.4 } }).portfolio;
    projectTargets(Float64Array.of(9, 1, -1, 0.5, NaN), 1, limits, out);
    expect(Array.from(out.subarray(0, 3))).toEqual([0.4, -0.4, 0.25]);
    expect(out[3]).toBeNaN();
    const longOnly = parseConfig({ portfolio: { longOnly: true, maxGross: 1, maxPerAsset: 1 } }).portfolio;
    projectTargets(Float64Array.of(1, -1, 1, 1), 0, longOnly, out);
    expect(Array.from(out)).toEqual([0.25, 0, 0.25, 0.25]);
    const tight = parseConfig({ portfolio: { maxGross: 0.5, maxPerAsset: 1 } }).portfolio;
    const gross = projectTargets(Float64Array.of(1, 1, 1, 1), 0, tight, out);
    expect(gross).toBeCloseTo(0.5, 12);
  });
});

describe('simulate', () => {
  const market = generateSyntheticMarket({ seed: 5, assets: 3, bars: 3000, timeframe: '1h' });
  const panel = market.panel.slice(0, 3000);
  // knock out asset 1 for bars 1000..1049: it must not trade there
  for (let t = 1000; t < 1050; t++) {
    panel.present[t * 3 + 1] = 0;
    panel.close[t * 3 + 1] = NaN;
  }
  const config = parseConfig({});
  const experts = computeExperts(panel, config);

  it('keeps the books consistent: equity moves by PnL, fees equal the fills, no fill on a missing bar', async () => {
    const result = await runBacktest({ panel, config, source: 'test', baselines: false });
    const run = result.main;
    let fees = 0;
    for (const f of run.fees) fees += f;
    let pnl = 0;
    for (const p of run.assetPnl) pnl += p;
    expect(run.equity[panel.nTimes - 1]! - config.broker.initialCash).toBeCloseTo(pnl, 6);
    expect(fees).toBeGreaterThan(0);
    expect(run.nFills).toBeGreaterThan(50);
    let fillsInHole = 0;
    let fillsOfAsset1 = 0;
    let feeSum = 0;
    for (let i = 0; i < run.nFills; i++) {
      feeSum += run.fills.fee[i]!;
      if (run.fills.asset[i] !== 1) continue;
      fillsOfAsset1++;
      if (run.fills.t[i]! >= 1000 && run.fills.t[i]! < 1050) fillsInHole++;
    }
    expect(feeSum).toBeCloseTo(fees, 6);
    expect(fillsOfAsset1).toBeGreaterThan(10);
    expect(fillsInHole).toBe(0);
  });

  it('closes a position whose target goes to 0 even when it is inside the no-trade band', () => {
    // one asset, reversal alone (often exactly 0), a wide band (half the slot), no volume cap
    const one = generateSyntheticMarket({ seed: 9, assets: 1, bars: 3000, timeframe: '1h' }).panel;
    const cfg = parseConfig({ portfolio: { noTradeBand: 0.5, maxPerAsset: 1 }, broker: { maxParticipation: 1 }, experts: { weights: { reversal: 1 } } });
    const series = computeExperts(one, cfg);
    const run = simulate({ name: 'band', panel: one, experts: series, weights: expertWeights(cfg), config: cfg });
    const reversal = series[1]!.exposure;
    let flatTargets = 0;
    let heldAnyway = 0;
    for (let t = 2; t < one.nTimes; t++) {
      // the target decided at t-1 was 0 and it was filled at t's open
      if (reversal[t - 1] !== 0) continue;
      flatTargets++;
      if (run.grossExposure[t]! > 0) heldAnyway++;
    }
    expect(flatTargets).toBeGreaterThan(500);
    expect(run.nFills).toBeGreaterThan(20);
    expect(heldAnyway).toBe(0);
  });

  it('never looks ahead: changing bars from t = 2000 on leaves everything before t = 2000 unchanged', async () => {
    const base = market.panel;
    const shifted = base.slice(0, base.nTimes);
    for (let j = 2000 * shifted.nAssets; j < shifted.close.length; j++) {
      for (const col of [shifted.open, shifted.high, shifted.low, shifted.close]) col[j] = col[j]! * 1.5;
      shifted.volume[j] = shifted.volume[j]! * 3;
    }
    const a = (await runBacktest({ panel: base, config, source: 'a', baselines: false })).main;
    const b = (await runBacktest({ panel: shifted, config, source: 'b', baselines: false })).main;
    expect(Array.from(b.equity.subarray(0, 2000))).toEqual(Array.from(a.equity.subarray(0, 2000)));
    expect(b.equity[2000]).not.toBe(a.equity[2000]);
    const before = (r: typeof a) => Array.from(r.fills.price).filter((_, i) => r.fills.t[i]! < 2000);
    expect(before(b)).toEqual(before(a));
  });

  it('stays within the gross cap (up to price moves since the last rebalance)', () => {
    const run = simulate({ name: 's', panel, experts, weights: expertWeights(config), config });
    let maxGross = 0;
    for (const g of run.grossExposure) maxGross = Math.max(maxGross, g);
    expect(maxGross).toBeLessThan(config.portfolio.maxGross * 1.15);
  });

  it('buy and hold trades each asset once and never rebalances', async () => {
    // volume cap off, so each entry fills at once
    const result = await runBacktest({ panel: market.panel, config: parseConfig({ broker: { maxParticipation: 1 } }), source: 'test' });
    const bh = result.baselines.find((b) => b.name === 'buy_and_hold')!;
    expect(bh.nFills).toBe(3);
    expect(result.baselines.map((b) => b.name)).toEqual(['buy_and_hold', 'trend_only', 'reversal_only', 'breakout_only', 'positioning_only', 'learned_only', 'equal_weight']);
  });

  it('higher fees cost more: the same strategy at 50 bps ends below 0 bps', () => {
    const cheap = simulate({ name: 'c', panel, experts, weights: expertWeights(config), config: parseConfig({ broker: { feeBps: 0 } }) });
    const dear = simulate({ name: 'd', panel, experts, weights: expertWeights(config), config: parseConfig({ broker: { feeBps: 50 } }) });
    expect(dear.equity[panel.nTimes - 1]!).toBeLessThan(cheap.equity[panel.nTimes - 1]!);
  });
});
