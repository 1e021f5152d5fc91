import { describe, expect, it } from 'vitest';
import { BarPanel, REGIMES, parseConfig } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { BreakoutExpert, PositioningExpert, ReversalExpert, TrendExpert, createExperts, runExpertBatch, stepExpert } from './index.ts';

const market = generateSyntheticMarket({ seed: 11, assets: 4, bars: 6000, timeframe: '1h' });
const ctx = { nAssets: 4, periodsPerYear: market.panel.periodsPerYear() };

/** The synthetic panel with a few bars knocked out, to exercise the missing-bar path. */
function withHoles(): BarPanel {
  const p = market.panel.slice(0, market.panel.nTimes);
  for (const [t, a] of [[500, 0], [501, 0], [900, 2], [3000, 3]] as const) {
    const j = t * p.nAssets + a;
    p.present[j] = 0;
    p.close[j] = NaN;
  }
  return p;
}

describe('experts', () => {
  it('batch mode equals stepping bar by bar, exactly, missing bars included, in blocks of any size', () => {
    const panel = withHoles();
    for (const expert of createExperts(parseConfig({}).experts)) {
      // the default blocks, one block of every bar, and odd blocks (67 and 1 bars) that cut the windows anywhere
      const batches = [undefined, panel.nTimes * panel.nAssets, 67 * panel.nAssets, 1].map((cells) => runExpertBatch(expert, panel, ctx, cells));
      const exposure = new Float64Array(panel.nAssets);
      const confidence = new Float64Array(panel.nAssets);
      expert.reset(ctx);
      for (let t = 0; t < panel.nTimes; t++) {
        stepExpert(expert, panel, t, exposure, confidence, 0);
        for (const [k, batch] of batches.entries()) {
          for (let a = 0; a < panel.nAssets; a++) {
            if (exposure[a] !== batch.exposure[t * panel.nAssets + a]) throw new Error(`${expert.name} (blocks #${k}) differs at t=${t} a=${a}`);
            if (confidence[a] !== batch.confidence[t * panel.nAssets + a]) throw new Error(`${expert.name} (blocks #${k}) confidence differs at t=${t}`);
          }
        }
      }
    }
  });

  it('outputs exposures in [-1, 1], confidences in [0, 1], 0 during warm-up, and repeats its output over a missing bar', () => {
    const panel = withHoles();
    for (const expert of createExperts(parseConfig({}).experts)) {
      const s = runExpertBatch(expert, panel, ctx);
      let outside = 0;
      for (let i = 0; i < s.exposure.length; i++) {
        if (!(Math.abs(s.exposure[i]!) <= 1) || !(s.confidence[i]! >= 0 && s.confidence[i]! <= 1)) outside++;
      }
      expect(outside).toBe(0);
      for (let t = 0; t < expert.warmup - 1; t++) expect(s.exposure[t * 4]).toBe(0);
      expect(s.exposure[500 * 4]).toBe(s.exposure[499 * 4]);
      expect(s.exposure[501 * 4]).toBe(s.exposure[499 * 4]);
    }
  });

  it('trend is net long in trend_up segments and net short in trend_down segments', () => {
    const s = runExpertBatch(new TrendExpert(), market.panel, ctx);
    const sum = new Float64Array(2);
    const n = new Float64Array(2);
    const up = REGIMES.indexOf('trend_up');
    const down = REGIMES.indexOf('trend_down');
    for (let i = 0; i < s.exposure.length; i++) {
      const r = market.regimes[i];
      if (r === up || r === down) {
        const k = r === up ? 0 : 1;
        sum[k] = sum[k]! + s.exposure[i]!;
        n[k] = n[k]! + 1;
      }
    }
    expect(sum[0]! / n[0]!).toBeGreaterThan(0.15);
    expect(sum[1]! / n[1]!).toBeLessThan(-0.15);
  });

  it('reversal trades against stretched moves: short when far above its mean, long when far below', () => {
    const s = runExpertBatch(new ReversalExpert({ window: 20, entryZ: 1 }), market.panel, ctx);
    const { close, nAssets: A } = market.panel;
    let above = 0;
    let below = 0;
    for (let a = 0; a < A; a++) {
      for (let t = 40; t < market.panel.nTimes; t++) {
        let m = 0;
        for (let k = t - 19; k <= t; k++) m += close[k * A + a]!;
        m /= 20;
        let v = 0;
        for (let k = t - 19; k <= t; k++) v += (close[k * A + a]! - m) ** 2;
        const z = (close[t * A + a]! - m) / Math.sqrt(v / 20);
        const x = s.exposure[t * A + a]!;
        if (z > 1.5) {
          expect(x).toBeLessThan(0);
          above++;
        } else if (z < -1.5) {
          expect(x).toBeGreaterThan(0);
          below++;
        } else if (Math.abs(z) < 0.9) {
          expect(x).toBe(0);
        }
      }
    }
    expect(above).toBeGreaterThan(100);
    expect(below).toBeGreaterThan(100);
  });

  it('breakout goes long on a volume-confirmed new high, ignores one without volume, and exits on the exit channel', () => {
    const rows: number[][] = [];
    for (let t = 0; t < 80; t++) rows.push([100 + (t % 2), 100, 1000]); // flat range: high 101, low 99
    rows.push([104, 104, 1000]); // new high, no volume: ignored
    rows.push([100, 100, 1000]);
    rows.push([106, 106, 3000]); // new high with 3x volume: long
    for (let t = 0; t < 5; t++) rows.push([107, 107, 1000]);
    rows.push([90, 90, 1000]); // below the 20-bar exit low: flat
    const p = new BarPanel(['X/USD'], '1h', Float64Array.from(rows.map((_, i) => i)));
    rows.forEach(([c, , v], t) => {
      p.open[t] = c!;
      p.close[t] = c!;
      p.high[t] = c! + 1;
      p.low[t] = c! - 1;
      p.volume[t] = v!;
      p.present[t] = 1;
    });
    const s = runExpertBatch(new BreakoutExpert({ window: 55, exitWindow: 20, volumeWindow: 20, volumeMult: 1.5 }), p, { nAssets: 1, periodsPerYear: 8760 });
    expect(s.exposure[80]).toBe(0);
    expect(s.exposure[82]).toBe(1);
    expect(s.confidence[82]).toBeCloseTo(3000 / 1000 / 3, 9);
    expect(s.exposure[87]).toBe(1);
    expect(s.exposure[88]).toBe(0);
  });

  it('positioning sizes by target volatility and cuts exposure to 0 at the maximum drawdown', () => {
    const n = 400;
    const p = new BarPanel(['X/USD'], '1d', Float64Array.from({ length: n }, (_, i) => i * 86_400_000));
    let c = 100;
    for (let t = 0; t < n; t++) {
      c *= t < 300 ? (t % 2 === 0 ? 1.02 : 1 / 1.02) : 0.97; // +-2% chop, then a steady fall
      p.open[t] = c;
      p.high[t] = c;
      p.low[t] = c;
      p.close[t] = c;
      p.volume[t] = 1;
      p.present[t] = 1;
    }
    const expert = new PositioningExpert({ volWindow: 20, targetVol: 0.1, ddWindow: 100, maxDrawdown: 0.3 });
    const s = runExpertBatch(expert, p, { nAssets: 1, periodsPerYear: 365 });
    // chop: |r| ~ 2% a day, vol ~ 0.02 x sqrt(365) ~ 0.38, so exposure ~ 0.1 / 0.38
    expect(s.exposure[250]).toBeGreaterThan(0.2);
    expect(s.exposure[250]).toBeLessThan(0.33);
    expect(s.exposure[399]).toBe(0);
    expect(s.confidence[399]).toBe(0);
  });
});
