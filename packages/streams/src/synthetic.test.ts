import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { REGIMES, timeframeMs } from '@arena/core';
import {
  SYNTHETIC_DURATION_RANGE,
  SYNTHETIC_REGIME_PARAMS,
  generateSyntheticMarket,
  writeSyntheticMarket,
  type SyntheticMarket,
} from './synthetic.ts';

const TREND_UP = REGIMES.indexOf('trend_up');
const TREND_DOWN = REGIMES.indexOf('trend_down');
const RANGE = REGIMES.indexOf('range');
const VOLATILE = REGIMES.indexOf('volatile');

const market = generateSyntheticMarket({ seed: 7, assets: 6, bars: 40_000, timeframe: '1h' });
const { panel, regimes } = market;
const A = panel.nAssets;
const T = panel.nTimes;

function logReturn(m: SyntheticMarket, t: number, a: number): number {
  const A = m.panel.nAssets;
  return Math.log(m.panel.close[t * A + a]! / m.panel.close[(t - 1) * A + a]!);
}

function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Mean and standard deviation of one-bar log returns on bars labelled with each regime, over all assets. */
function returnStatsByRegime(m: SyntheticMarket): { mean: number[]; std: number[] } {
  const A = m.panel.nAssets;
  const sum = [0, 0, 0, 0];
  const sq = [0, 0, 0, 0];
  const n = [0, 0, 0, 0];
  for (let a = 0; a < A; a++) {
    for (let t = 1; t < m.panel.nTimes; t++) {
      const r = m.regimes[t * A + a]!;
      const x = logReturn(m, t, a);
      sum[r]! += x;
      sq[r]! += x * x;
      n[r]!++;
    }
  }
  const mean = sum.map((s, r) => s / n[r]!);
  return { mean, std: sq.map((s, r) => Math.sqrt(s / n[r]! - mean[r]! ** 2)) };
}

describe('generateSyntheticMarket', () => {
  it('is deterministic: same options give identical arrays, another seed different ones', () => {
    const again = generateSyntheticMarket({ seed: 7, assets: 6, bars: 40_000, timeframe: '1h' });
    for (const key of ['open', 'high', 'low', 'close', 'volume', 'ts'] as const) {
      expect(Buffer.from(again.panel[key].buffer).equals(Buffer.from(panel[key].buffer))).toBe(true);
    }
    expect(Buffer.from(again.regimes).equals(Buffer.from(regimes))).toBe(true);
    const other = generateSyntheticMarket({ seed: 8, assets: 6, bars: 40_000, timeframe: '1h' });
    expect(Buffer.from(other.panel.close.buffer).equals(Buffer.from(panel.close.buffer))).toBe(false);
    expect(Buffer.from(other.regimes).equals(Buffer.from(regimes))).toBe(false);
  });

  it('has the requested shape, symbols, time index and defaults', () => {
    expect(panel.symbols).toEqual(['SYN0/USD', 'SYN1/USD', 'SYN2/USD', 'SYN3/USD', 'SYN4/USD', 'SYN5/USD']);
    expect(panel.nTimes).toBe(40_000);
    expect(panel.timeframe).toBe('1h');
    expect(regimes.length).toBe(A * T);
    expect(market.options).toEqual({ seed: 7, assets: 6, bars: 40_000, timeframe: '1h', startMs: Date.UTC(2024, 0, 1) });
    expect(panel.ts[0]).toBe(Date.UTC(2024, 0, 1));
    for (let t = 1; t < T; t++) expect(panel.ts[t]! - panel.ts[t - 1]!).toBe(3_600_000);
    const one = generateSyntheticMarket({ seed: 1, assets: 1, bars: 50, timeframe: '5m', startMs: 1_700_000_100_000 });
    expect(one.panel.symbols).toEqual(['SYN0/USD']);
    expect(one.panel.ts[1]).toBe(1_700_000_100_000 + timeframeMs('5m'));
  });

  it('starts the assets at distinct price levels between about 10 and 1000', () => {
    const first = Array.from(panel.open.subarray(0, A));
    expect(new Set(first).size).toBe(A);
    expect(Math.min(...first)).toBeGreaterThan(8);
    expect(Math.max(...first)).toBeLessThan(1200);
  });

  it('rejects invalid options with ARENA_E_CONFIG naming each problem', () => {
    expect(() => generateSyntheticMarket({ seed: 1, assets: 0, bars: 1.5, timeframe: '1h' })).toThrow(
      /ARENA_E_CONFIG: synthetic.assets must be an integer >= 1; synthetic.bars must be an integer >= 1/,
    );
  });

  it('produces consistent OHLCV bars: low <= open, close <= high, volume > 0, every bar present', () => {
    let bad = 0;
    for (let j = 0; j < A * T; j++) {
      const o = panel.open[j]!;
      const c = panel.close[j]!;
      const ok =
        panel.present[j] === 1 &&
        Number.isFinite(panel.high[j]!) &&
        panel.low[j]! > 0 &&
        panel.low[j]! <= Math.min(o, c) &&
        panel.high[j]! >= Math.max(o, c) &&
        panel.volume[j]! > 0;
      if (!ok) bad++;
    }
    expect(bad).toBe(0);
  });

  it('documents a valid transition table (no self-transition, probabilities sum to 1)', () => {
    REGIMES.forEach((r, i) => {
      const next = SYNTHETIC_REGIME_PARAMS[r].next;
      expect(next[i]).toBe(0);
      expect(next.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    });
  });

  it('visits every regime with mean segment lengths inside the documented range', () => {
    const total = [0, 0, 0, 0];
    const count = [0, 0, 0, 0];
    for (let a = 0; a < A; a++) {
      let start = 0;
      for (let t = 1; t <= T; t++) {
        if (t < T && regimes[t * A + a] === regimes[(t - 1) * A + a]) continue;
        // the first and last segments are cut by the sample's ends: leave them out
        if (start > 0 && t < T) {
          total[regimes[start * A + a]!]! += t - start;
          count[regimes[start * A + a]!]!++;
        }
        start = t;
      }
    }
    const mean = total.map((s, r) => s / count[r]!);
    // measured (seed 7, 6 x 40k): trend_up ~238, trend_down ~159, range ~252, volatile ~124 bars
    for (let r = 0; r < REGIMES.length; r++) {
      expect(count[r]).toBeGreaterThan(100);
      expect(mean[r]).toBeGreaterThanOrEqual(SYNTHETIC_DURATION_RANGE[0]);
      expect(mean[r]).toBeLessThanOrEqual(SYNTHETIC_DURATION_RANGE[1]);
    }
  });

  it('drifts up in trend_up and down in trend_down; volatile is more volatile than range', () => {
    const { mean, std } = returnStatsByRegime(market);
    // measured: mean +5.1e-4 / -5.1e-4 per bar; volatile / range std ~4.6
    expect(mean[TREND_UP]).toBeGreaterThan(2e-4);
    expect(mean[TREND_DOWN]).toBeLessThan(-2e-4);
    expect(std[VOLATILE]! / std[RANGE]!).toBeGreaterThan(2.5);
  });

  it('lets a 50-bar moving-average rule be net long in trend_up and net short in trend_down', () => {
    const L = 50;
    const net = [0, 0, 0, 0];
    const n = [0, 0, 0, 0];
    for (let a = 0; a < A; a++) {
      let sum = 0;
      for (let t = 0; t < T; t++) {
        sum += panel.close[t * A + a]!;
        if (t >= L) sum -= panel.close[(t - L) * A + a]!;
        if (t < L - 1) continue;
        const r = regimes[t * A + a]!;
        net[r]! += Math.sign(panel.close[t * A + a]! - sum / L);
        n[r]!++;
      }
    }
    // measured: +0.48 in trend_up, -0.39 in trend_down
    expect(net[TREND_UP]! / n[TREND_UP]!).toBeGreaterThan(0.2);
    expect(net[TREND_DOWN]! / n[TREND_DOWN]!).toBeLessThan(-0.2);
  });

  it('co-moves across assets: mean pairwise return correlation > 0.2', () => {
    const returns = Array.from({ length: A }, (_, a) => Float64Array.from({ length: T - 1 }, (_, i) => logReturn(market, i + 1, a)));
    let sum = 0;
    let pairs = 0;
    for (let a = 0; a < A; a++) {
      for (let b = a + 1; b < A; b++) {
        sum += correlation(returns[a]!, returns[b]!);
        pairs++;
      }
    }
    expect(sum / pairs).toBeGreaterThan(0.2); // measured ~0.27
  });

  it('mean-reverts in range: lag-1 return autocorrelation within range segments is negative', () => {
    const prev: number[] = [];
    const next: number[] = [];
    for (let a = 0; a < A; a++) {
      for (let t = 2; t < T; t++) {
        if (regimes[t * A + a] !== RANGE || regimes[(t - 1) * A + a] !== RANGE) continue;
        prev.push(logReturn(market, t - 1, a));
        next.push(logReturn(market, t, a));
      }
    }
    expect(prev.length).toBeGreaterThan(10_000);
    expect(correlation(prev, next)).toBeLessThan(-0.02); // measured ~ -0.041
  });

  it('clusters volatility: absolute returns are autocorrelated, also inside one regime', () => {
    let all = 0;
    const x: number[] = [];
    const y: number[] = [];
    for (let a = 0; a < A; a++) {
      const abs = Float64Array.from({ length: T - 1 }, (_, i) => Math.abs(logReturn(market, i + 1, a)));
      all += correlation(abs.subarray(0, abs.length - 1), abs.subarray(1));
      for (let t = 2; t < T; t++) {
        if (regimes[t * A + a] !== TREND_UP || regimes[(t - 1) * A + a] !== TREND_UP) continue;
        x.push(abs[t - 2]!);
        y.push(abs[t - 1]!);
      }
    }
    expect(all / A).toBeGreaterThan(0.15); // measured ~0.37 (regimes + GARCH)
    expect(correlation(x, y)).toBeGreaterThan(0.03); // GARCH alone, measured ~0.11
  });

  it('scales per-bar volatility with the square root of the bar length', () => {
    const hourly = returnStatsByRegime(generateSyntheticMarket({ seed: 3, assets: 4, bars: 20_000, timeframe: '1h' })).std;
    const daily = returnStatsByRegime(generateSyntheticMarket({ seed: 3, assets: 4, bars: 20_000, timeframe: '1d' })).std;
    // drift and jumps scale with sigma too, so every regime's volatility scales by sqrt(24) ~ 4.9
    for (let r = 0; r < REGIMES.length; r++) {
      expect(daily[r]! / hourly[r]!).toBeGreaterThan(4.9 * 0.8);
      expect(daily[r]! / hourly[r]!).toBeLessThan(4.9 * 1.25);
    }
  });

  it('generates 6 assets x 100k bars quickly', () => {
    const t0 = performance.now();
    generateSyntheticMarket({ seed: 11, assets: 6, bars: 100_000, timeframe: '1h' });
    // ~0.3 s on a quiet machine; the loose bound only catches an accidental blow-up under parallel test load
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('writeSyntheticMarket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-synthetic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes gzip CSV files in the shared-data format that read back to the same values', () => {
    const small = generateSyntheticMarket({ seed: 5, assets: 3, bars: 500, timeframe: '15m' });
    const { files } = writeSyntheticMarket(small, dir);
    expect(files.map((f) => basename(f))).toEqual(['SYN0_USD.csv.gz', 'SYN1_USD.csv.gz', 'SYN2_USD.csv.gz', 'regimes.csv.gz']);
    const p = small.panel;
    for (let a = 0; a < 3; a++) {
      const lines = gunzipSync(readFileSync(files[a]!)).toString('utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('ts,open,high,low,close,volume');
      expect(lines.length).toBe(501);
      for (let t = 0; t < 500; t++) {
        const cells = lines[t + 1]!.split(',').map(Number);
        const j = t * 3 + a;
        expect(cells).toEqual([p.ts[t], p.open[j], p.high[j], p.low[j], p.close[j], p.volume[j]]);
      }
    }
    const rows = gunzipSync(readFileSync(files[3]!)).toString('utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('ts,symbol,regime');
    expect(rows.length).toBe(1 + 500 * 3);
    for (let t = 0; t < 500; t++) {
      for (let a = 0; a < 3; a++) {
        expect(rows[1 + t * 3 + a]).toBe(`${p.ts[t]},SYN${a}/USD,${REGIMES[small.regimes[t * 3 + a]!]}`);
      }
    }
  });
});
