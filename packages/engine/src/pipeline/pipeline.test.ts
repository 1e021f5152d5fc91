import { parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { computeExperts, panelRow, stepPanel } from '../backtest.ts';
import { simulate } from '../simulate.ts';
import { expertWeights } from '../staticWeights.ts';
import { GrowingPanel } from '../paper/growingPanel.ts';
import { RiskGuard } from '../paper/risk.ts';
import { daemonPipeline } from './build.ts';

const rowOf = panelRow;

describe('pipeline', () => {
  it('the daemon stepping bar by bar gives a backtest of the same bars: same fills, same equity, same decisions', async () => {
    const { panel } = generateSyntheticMarket({ seed: 4, assets: 4, bars: 1500, timeframe: '1h' });
    const config = parseConfig({ experts: { weights: { trend: 0.4, reversal: 0.1, breakout: 0.3, positioning: 0.2 } }, risk: { maxDrawdown: 0.04 } });
    const backtest = await stepPanel({ panel, config });
    const run = backtest.pipeline.book.run('backtest', panel);
    const p = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config, periodsPerYear: panel.periodsPerYear() });
    const fills: number[] = [];
    let halts = 0;
    for (let t = 0; t < panel.nTimes; t++) {
      const r = await p.step(panel.ts[t]!, rowOf(panel, t));
      expect(r.equity).toBe(run.equity[t]!);
      for (const f of r.fills) fills.push(f.price, f.qty);
      if (r.halted) halts++;
    }
    expect(Array.from(run.fills.price).flatMap((price, i) => [price, run.fills.qty[i]!])).toEqual(fills);
    // the kill switch runs in both (a 4% drawdown limit fires on this market)
    expect(halts).toBe(backtest.halts.length);
    expect(halts).toBeGreaterThan(0);
  });

  // with protective exits too, one expert with its own rules: simulate picks each entry's rule set as the pipeline does
  const EXITS = { stopLoss: 0.02, trailingStop: 0.03, timeStop: 48, experts: { breakout: { timeStop: 6, takeProfitAtr: 3 } } };
  // kill switches out of reach but in the third case, where both fire (simulate runs the pipeline's kill switch)
  const NO_KILL = { risk: { maxDrawdown: 1, maxDailyLoss: 1 } };
  it.each([
    ['no exits', NO_KILL],
    ['protective exits, per-expert rules', { ...NO_KILL, exits: EXITS }],
    ['kill switches: 1% daily loss, then 4% drawdown', { risk: { maxDrawdown: 0.04, maxDailyLoss: 0.01 } }],
  ])('stepping bar by bar gives simulate over precomputed experts: same fills, same equity, same halts (rule experts, static weights; %s)', async (_name, extra) => {
    const { panel } = generateSyntheticMarket({ seed: 4, assets: 4, bars: 1200, timeframe: '1h' });
    const config = parseConfig({ experts: { weights: { trend: 0.4, reversal: 0.1, breakout: 0.3, positioning: 0.2 } }, ...extra });
    // as a backtest with the static router: the weights per cell in float32
    const w = expertWeights(config);
    const dyn = new Float32Array(panel.nTimes * panel.nAssets * w.length);
    for (let i = 0; i < dyn.length; i++) dyn[i] = w[i % w.length]!;
    const run = simulate({ name: 'bt', panel, experts: computeExperts(panel, config), weights: w, dynamicWeights: dyn, config });
    const p = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config, periodsPerYear: panel.periodsPerYear() });
    let fills = 0;
    const halts: { ts: number; reason: string }[] = [];
    for (let t = 0; t < panel.nTimes; t++) {
      const r = await p.step(panel.ts[t]!, rowOf(panel, t));
      expect(r.equity).toBe(run.equity[t]!);
      fills += r.fills.length;
      if (r.halted !== undefined) halts.push({ ts: panel.ts[t]!, reason: r.halted });
    }
    expect(run.halts).toEqual(halts);
    if (extra.risk.maxDrawdown < 1) {
      // a daily-loss halt resumes the next UTC day; the drawdown halt holds for good
      expect(halts.map((h) => h.reason.match(/risk\.(\w+)/)![1])).toEqual([...halts.slice(0, -1).map(() => 'maxDailyLoss'), 'maxDrawdown']);
      expect(halts.length).toBeGreaterThan(1);
    } else expect(halts).toEqual([]);
    // the backtest submits nothing at its last bar; the daemon does (the next bar may come), so compare fills so far
    expect(fills).toBe(run.nFills);
    expect(p.history.panel.nTimes).toBeGreaterThanOrEqual(1200);
    if ('exits' in extra) expect(run.exitsByReason.stop + run.exitsByReason.trailing + run.exitsByReason.target).toBeGreaterThan(10);
  });

  it('a kill switch flattens the book at the next open and keeps it flat, with the reason', async () => {
    const { panel } = generateSyntheticMarket({ seed: 4, assets: 4, bars: 1200, timeframe: '1h' });
    const config = parseConfig({ experts: { weights: { trend: 0.5, breakout: 0.5 } }, risk: { maxDrawdown: 0.005, maxDailyLoss: 1 } });
    const p = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config, periodsPerYear: panel.periodsPerYear() });
    let haltedAt = -1;
    let reason = '';
    for (let t = 0; t < panel.nTimes; t++) {
      const r = await p.step(panel.ts[t]!, rowOf(panel, t));
      if (r.halted !== undefined) {
        haltedAt = t;
        reason = r.halted;
        // every open position gets a closing order
        for (let a = 0; a < 4; a++) if (p.book.broker.units[a] !== 0) expect(r.orders.some(([asset, q]) => asset === a && q === -p.book.broker.units[a]!)).toBe(true);
      }
      if (haltedAt >= 0 && t > haltedAt + 1) {
        expect(r.paused).toBe(true);
        expect(r.orders).toEqual([]);
        expect(Array.from(p.book.broker.units).every((u) => u === 0)).toBe(true);
      }
    }
    expect(haltedAt).toBeGreaterThan(0);
    expect(reason).toMatch(/^kill switch at .*drawdown .* reached risk\.maxDrawdown 0\.50%: flattened, trading paused$/);
  });

  it('operator controls apply at the next step: pause stops the orders, flatten closes every position, resume trades again', async () => {
    const { panel } = generateSyntheticMarket({ seed: 6, assets: 3, bars: 600, timeframe: '1h' });
    const config = parseConfig({ experts: { weights: { trend: 0.5, breakout: 0.5 } } });
    const p = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config, periodsPerYear: panel.periodsPerYear() });
    const at = { pause: 200, resume: 260, flatten: 400 };
    let ordersWhilePaused = 0;
    for (let t = 0; t < panel.nTimes; t++) {
      if (t === at.pause) p.control('pause');
      if (t === at.resume) p.control('resume');
      if (t === at.flatten) p.control('flatten');
      const r = await p.step(panel.ts[t]!, rowOf(panel, t));
      if (t === at.pause || t === at.resume || t === at.flatten) expect(r.controls).toHaveLength(1);
      else expect(r.controls).toBeUndefined();
      if (t >= at.pause && t < at.resume) ordersWhilePaused += r.orders.length;
      if (t === at.flatten) {
        for (let a = 0; a < 3; a++) if (p.book.broker.units[a] !== 0) expect(r.orders.some(([asset, q]) => asset === a && q === -p.book.broker.units[a]!)).toBe(true);
        expect(r.paused).toBe(true);
      }
      if (t > at.flatten + 1) expect(Array.from(p.book.broker.units).every((u) => u === 0)).toBe(true);
      if (t === at.resume + 50) expect(Array.from(p.book.broker.units).some((u) => u !== 0)).toBe(true);
    }
    expect(ordersWhilePaused).toBe(0);
  });

  it('grows past its capacity keeping rows and times', () => {
    const g = new GrowingPanel(['A', 'B'], '1h', 4);
    const row = (v: number) => ({ open: [v, v], high: [v, v], low: [v, v], close: [v, v], volume: [1, 1], present: [1, 0] });
    for (let t = 0; t < 10; t++) expect(g.append(3_600_000 * (t + 5), row(t + 1))).toBe(t);
    expect(g.length).toBe(10);
    expect(g.panel.nTimes).toBe(16);
    expect(Array.from(g.panel.close.subarray(0, 4))).toEqual([1, NaN, 2, NaN]);
    expect(g.panel.ts[9]).toBe(3_600_000 * 14);
    expect(g.tail(8).nTimes).toBe(2);
    expect(() => g.append(3_600_000 * 14, row(1))).toThrow(/not after the last one/);
  });

  it('risk: a drawdown halt flattens and pauses for good; a daily-loss halt pauses until the next UTC day', () => {
    const r = new RiskGuard({ maxDrawdown: 0.2, maxDailyLoss: 0.05 }, 100);
    const day = 86_400_000;
    expect(r.check(0, 100)).toBeUndefined();
    expect(r.check(3_600_000, 96)).toBeUndefined();
    expect(r.check(7_200_000, 94.9)).toMatch(/risk\.maxDailyLoss 5\.00%/);
    expect(r.paused).toBe(true);
    expect(r.check(day, 94)).toBeUndefined();
    expect(r.paused).toBe(false);
    expect(r.check(day + 3_600_000, 79)).toMatch(/drawdown 21\.00% .* risk\.maxDrawdown 20\.00%/);
    expect(r.check(3 * day, 120)).toBeUndefined();
    expect(r.paused).toBe(true);
  });
});
