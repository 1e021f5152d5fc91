import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BarPanel, Rng, SAMPLE_DATA_DIR } from '@arena/core';
import { generateSyntheticMarket, loadDataset } from '@arena/streams';
import { AtrKernel, MacdKernel, RealizedVolKernel, RollingCorrelationKernel, RollingZScoreKernel, RsiKernel } from '@arena/kernels';
import { FEATURE_CATALOGUE, FeatureStream, computeFeatures, panelBar } from './catalogue.ts';
import { type FeatureSet, featureIndex } from './featureSet.ts';

const A = 3;
const T = 1500;
const market = generateSyntheticMarket({ seed: 7, assets: A, bars: T, timeframe: '1h' });
const panel = market.panel;

/** A step funding column: a new random rate every 8 bars, per asset. */
function stepFunding(nTimes: number, nAssets: number): Float64Array {
  const rng = new Rng(11);
  const out = new Float64Array(nTimes * nAssets);
  for (let a = 0; a < nAssets; a++) {
    let rate = 0;
    for (let t = 0; t < nTimes; t++) {
      if (t % 8 === 0) rate = 0.0001 + 0.0002 * rng.normal();
      out[t * nAssets + a] = rate;
    }
  }
  return out;
}
const funding = stepFunding(T, A);
const full = computeFeatures({ panel, funding });

function col(set: FeatureSet, name: string): Float64Array {
  return set.columns[featureIndex(set, name)]!;
}

/** A copy of the panel under other symbols, with the given (t, a) bars made missing. */
function copyPanel(src: BarPanel, symbols: readonly string[] = src.symbols, missing: readonly [number, number][] = []): BarPanel {
  const p = new BarPanel(symbols, src.timeframe, src.ts);
  for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) p[key].set(src[key]);
  p.present.set(src.present);
  for (const [t, a] of missing) {
    const i = t * src.nAssets + a;
    for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) p[key][i] = NaN;
    p.present[i] = 0;
  }
  return p;
}

/** Sample correlation and beta of x on y over their values (plain two-pass formulas, the oracle). */
function regress(x: number[], y: number[]): { corr: number; beta: number } {
  const mean = (v: number[]) => v.reduce((s, u) => s + u, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  x.forEach((_, k) => {
    sxy += (x[k]! - mx) * (y[k]! - my);
    sxx += (x[k]! - mx) ** 2;
    syy += (y[k]! - my) ** 2;
  });
  return { corr: sxy / Math.sqrt(sxx * syy), beta: sxy / syy };
}

describe('FEATURE_CATALOGUE', () => {
  it('names at least 44 unique snake_case features, each with a group, a window and a one-line description', () => {
    expect(FEATURE_CATALOGUE.length).toBeGreaterThanOrEqual(44);
    const names = FEATURE_CATALOGUE.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of FEATURE_CATALOGUE) {
      expect(f.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(Number.isInteger(f.window) && f.window >= 0, f.name).toBe(true);
      expect(f.description.length, f.name).toBeGreaterThan(15);
      expect(f.description, f.name).not.toMatch(/\n/);
    }
    const groups = new Set(FEATURE_CATALOGUE.map((f) => f.group));
    expect([...groups].sort()).toEqual(['calendar', 'cross_asset', 'funding', 'liquidity', 'oscillator', 'returns', 'shape', 'trend', 'volatility', 'volume']);
    for (const name of ['ret_1', 'ret_4', 'ret_12', 'ret_24', 'ret_72', 'rsi_6', 'rsi_14', 'funding_rate', 'hour_sin', 'dow_cos']) expect(names).toContain(name);
  });

  it('keeps docs/features-catalogue.md in sync (ARENA_UPDATE_DOCS=1 rewrites its table)', () => {
    const path = fileURLToPath(new URL('../../../docs/features-catalogue.md', import.meta.url));
    const doc = readFileSync(path, 'utf8');
    const start = '<!-- catalogue:start -->\n';
    const end = '<!-- catalogue:end -->';
    const i = doc.indexOf(start);
    const j = doc.indexOf(end);
    expect(i >= 0 && j > i, `${path} needs the ${start.trim()} and ${end} markers`).toBe(true);
    const table = catalogueTable();
    if (process.env['ARENA_UPDATE_DOCS'] === '1') writeFileSync(path, doc.slice(0, i + start.length) + table + doc.slice(j));
    else expect(doc.slice(i + start.length, j), 'docs/features-catalogue.md is stale: rerun this test with ARENA_UPDATE_DOCS=1').toBe(table);
  });
});

function catalogueTable(): string {
  const cell = (s: string | number) => String(s).replaceAll('|', '\\|');
  const rows = FEATURE_CATALOGUE.map((f) => `| \`${f.name}\` | ${f.group} | ${f.window} | ${cell(f.description)} |`);
  return ['| name | group | window | description |', '|---|---|---|---|', ...rows, ''].join('\n');
}

describe('computeFeatures', () => {
  it('returns one column per catalogue feature, in catalogue order, shaped like the panel', () => {
    expect(full.features.map((f) => f.name)).toEqual(FEATURE_CATALOGUE.map((f) => f.name));
    expect([full.nTimes, full.nAssets]).toEqual([T, A]);
    for (const c of full.columns) expect(c).toHaveLength(T * A);
  });

  it('is causal: features of the panel cut after row t equal the full panel rows <= t, exactly', () => {
    for (const t of [60, 400, 1111]) {
      const cut = computeFeatures({ panel: panel.slice(0, t + 1), funding: funding.slice(0, (t + 1) * A) });
      full.features.forEach((f, k) => {
        const want = full.columns[k]!.subarray(0, (t + 1) * A);
        const got = cut.columns[k]!;
        let mismatches = 0;
        for (let i = 0; i < want.length; i++) if (!Object.is(want[i], got[i])) mismatches++;
        expect(mismatches, `${f.name} at t=${t}`).toBe(0);
      });
    }
  });

  it('starts each feature at row window - 1 on a panel without gaps (calendar at row 0)', () => {
    full.features.forEach((f, k) => {
      const column = full.columns[k]!;
      for (let a = 0; a < A; a++) {
        let first = -1;
        for (let t = 0; t < T && first < 0; t++) if (Number.isFinite(column[t * A + a]!)) first = t;
        expect(first, `${f.name} asset ${a}`).toBe(Math.max(0, f.window - 1));
      }
    });
  });

  it('never gives a feature one value across the whole panel, and fills nearly every row after its warm-up', () => {
    full.features.forEach((f, k) => {
      const column = full.columns[k]!;
      const values = new Set<number>();
      let finite = 0;
      for (const v of column) {
        if (!Number.isFinite(v)) continue;
        finite++;
        if (values.size < 3) values.add(v);
      }
      expect(values.size, f.name).toBeGreaterThan(1);
      expect(finite / ((T - f.window) * A), f.name).toBeGreaterThan(0.98);
    });
  });

  it('matches hand computations: ret_4, close_location, hour and weekday, market return, beta and correlation', () => {
    const { close, open, high, low } = panel;
    for (const [t, a] of [[4, 0], [100, 1], [1499, 2]] as const) {
      const i = t * A + a;
      expect(col(full, 'ret_4')[i]).toBeCloseTo(Math.log(close[i]! / close[i - 4 * A]!), 14);
      expect(col(full, 'close_location')[i]).toBeCloseTo((close[i]! - low[i]! - (high[i]! - close[i]!)) / (high[i]! - low[i]!), 14);
      expect(col(full, 'body_ratio')[i]).toBeCloseTo((close[i]! - open[i]!) / (high[i]! - low[i]!), 14);
      expect(col(full, 'open_gap')[i]).toBeCloseTo(Math.log(open[i]! / close[i - A]!), 14);
    }
    expect(col(full, 'ret_4')[3 * A]).toBeNaN();
    // the synthetic market starts 2024-01-01 00:00 UTC, a Monday, one bar per hour
    for (const t of [0, 6, 13, 50, 24 * 6 + 18]) {
      expect(col(full, 'hour_sin')[t * A + 1]).toBeCloseTo(Math.sin((2 * Math.PI * (t % 24)) / 24), 14);
      expect(col(full, 'hour_cos')[t * A + 1]).toBeCloseTo(Math.cos((2 * Math.PI * (t % 24)) / 24), 14);
      expect(col(full, 'dow_sin')[t * A]).toBeCloseTo(Math.sin((2 * Math.PI * Math.floor(t / 24)) / 7), 14);
    }
    const r1 = col(full, 'ret_1');
    const marketAt = (t: number) => (r1[t * A]! + r1[t * A + 1]! + r1[t * A + 2]!) / 3;
    const t = 900;
    let market24 = 0;
    for (let s = t - 23; s <= t; s++) market24 += marketAt(s);
    expect(col(full, 'mkt_ret_24')[t * A + 2]).toBeCloseTo(market24, 12);
    expect(col(full, 'rel_ret_24')[t * A + 1]).toBeCloseTo(col(full, 'ret_24')[t * A + 1]! - market24, 12);
    const window = Array.from({ length: 96 }, (_, k) => t - 95 + k);
    const m = window.map(marketAt);
    for (let a = 0; a < A; a++) {
      const { corr, beta } = regress(window.map((s) => r1[s * A + a]!), m);
      expect(col(full, 'corr_mkt_96')[t * A + a]).toBeCloseTo(corr, 9);
      expect(col(full, 'beta_mkt_96')[t * A + a]).toBeCloseTo(beta, 9);
    }
  });

  it('keeps oscillators and ratios in their ranges', () => {
    const ranges: [string, number, number][] = [
      ['rsi_6', 0, 100],
      ['rsi_14', 0, 100],
      ['stoch_k_14', 0, 100],
      ['stoch_d_3', 0, 100],
      ['close_location', -1, 1],
      ['body_ratio', -1, 1],
      ['upper_wick', 0, 1],
      ['lower_wick', 0, 1],
      ['efficiency_20', 0, 1 + 1e-12],
      ['rank_ret_24', 0, 1],
      ['dist_high_55', -Infinity, 0],
      ['dist_low_55', 0, Infinity],
      ['corr_mkt_96', -1 - 1e-12, 1 + 1e-12],
      ['rvol_12', 0, Infinity],
    ];
    for (const [name, lo, hi] of ranges) {
      for (const v of col(full, name)) if (v === v) expect(v >= lo && v <= hi, `${name} = ${v}`).toBe(true);
    }
  });

  it('gives RSI 100 on a steadily rising close and 0 on a falling one', () => {
    const n = 40;
    const p = new BarPanel(['UP/USD', 'DOWN/USD'], '1h', Float64Array.from({ length: n }, (_, t) => Date.UTC(2024, 0, 1) + t * 3_600_000));
    for (let t = 0; t < n; t++) {
      [100 + t, 200 - t].forEach((c, a) => {
        const i = t * 2 + a;
        [p.open[i], p.high[i], p.low[i], p.close[i], p.volume[i]] = [c, c + 0.5, c - 0.5, c, 10];
        p.present[i] = 1;
      });
    }
    const rsi = col(computeFeatures({ panel: p }, { names: ['rsi_14'] }), 'rsi_14');
    expect(rsi[14 * 2]).toBe(100);
    expect(rsi[(n - 1) * 2]).toBe(100);
    expect(rsi[(n - 1) * 2 + 1]).toBe(0);
  });

  it('correlates with the BTC* symbol when there is one (itself: 1), else with the market', () => {
    const withBtc = computeFeatures({ panel: copyPanel(panel, ['SOL/USDT', 'BTC/USDT', 'ETH/USDT']) }, { names: ['ret_1', 'corr_btc_96'] });
    const r1 = col(withBtc, 'ret_1');
    const corr = col(withBtc, 'corr_btc_96');
    const t = 700;
    expect(corr[t * A + 1]).toBeCloseTo(1, 9);
    const window = Array.from({ length: 96 }, (_, k) => t - 95 + k);
    expect(corr[t * A]).toBeCloseTo(regress(window.map((s) => r1[s * A]!), window.map((s) => r1[s * A + 1]!)).corr, 9);
    expect(Array.from(col(full, 'corr_btc_96'))).toEqual(Array.from(col(full, 'corr_mkt_96')));
  });

  it('gives NaN at a missing bar, and in the windows that hold it, for that asset only', () => {
    const t0 = 500;
    const holed = computeFeatures({ panel: copyPanel(panel, panel.symbols, [[t0, 1]]), funding });
    holed.features.forEach((f, k) => expect(holed.columns[k]![t0 * A + 1], f.name).toBeNaN());
    expect(col(holed, 'ret_1')[(t0 + 1) * A + 1]).toBeNaN();
    expect(col(holed, 'rvol_12')[(t0 + 12) * A + 1]).toBeNaN();
    expect(col(holed, 'rvol_12')[(t0 + 13) * A + 1]).toBeCloseTo(col(full, 'rvol_12')[(t0 + 13) * A + 1]!, 12);
    // the other assets' own features are untouched
    for (const name of ['ret_4', 'rsi_14', 'price_z_20', 'close_location']) {
      expect(col(holed, name)[t0 * A]).toBe(col(full, name)[t0 * A]);
      expect(col(holed, name)[(t0 + 3) * A + 2]).toBe(col(full, name)[(t0 + 3) * A + 2]);
    }
  });

  it('passes funding through (a copy, the input untouched) and is all NaN without it', () => {
    const before = funding.slice();
    const rate = col(full, 'funding_rate');
    expect(rate).not.toBe(funding);
    expect(Array.from(rate)).toEqual(Array.from(funding));
    expect(Array.from(funding)).toEqual(Array.from(before));
    expect(col(full, 'funding_z_90').some((v) => Number.isFinite(v))).toBe(true);
    const without = computeFeatures({ panel }, { names: ['funding_rate', 'funding_z_90'] });
    for (const c of without.columns) expect(c.every((v) => Number.isNaN(v))).toBe(true);
    expect(() => computeFeatures({ panel, funding: new Float64Array(5) })).toThrow(/funding has 5 values; the panel needs 1500 x 3 = 4500/);
  });

  it('computes a named subset in catalogue order, equal to the full computation, and rejects unknown names', () => {
    const subset = computeFeatures({ panel, funding }, { names: ['rvol_xz_48', 'ret_1', 'beta_mkt_96'] });
    expect(subset.features.map((f) => f.name)).toEqual(['ret_1', 'beta_mkt_96', 'rvol_xz_48']);
    for (const f of subset.features) expect(Array.from(col(subset, f.name))).toEqual(Array.from(col(full, f.name)));
    expect(() => computeFeatures({ panel }, { names: ['ret_1', 'ret_2', 'vibes'] })).toThrow(/unknown features ret_2, vibes; known: ret_1, ret_4, .*funding_z_90/);
  });
});

describe('FeatureStream', () => {
  it("gives the kernels' batch references bit for bit (each feature is a stream of the same arithmetic)", () => {
    const m = { rows: T, cols: A, data: panel.close };
    const same = (name: string, batch: Float64Array, f: (v: number, i: number) => number = (v) => v) => {
      const c = col(full, name);
      for (let i = 0; i < c.length; i++) {
        const want = panel.present[i] ? f(batch[i]!, i) : NaN;
        if (!Object.is(c[i], want)) throw new Error(`${name} cell ${i}: stream ${c[i]}, batch ${want}`);
      }
    };
    same('rsi_14', RsiKernel.cpu(m, { window: 14 }).data);
    same('price_z_100', RollingZScoreKernel.cpu(m, { window: 100 }).data);
    same('rvol_48', RealizedVolKernel.cpu(m, { window: 48 }).data);
    same('atr_14', AtrKernel.cpu({ high: { ...m, data: panel.high }, low: { ...m, data: panel.low }, close: m }, { window: 14 }).data, (v, i) => (panel.close[i]! > 0 ? v / panel.close[i]! : NaN));
    const macd = MacdKernel.cpu(m, { fast: 12, slow: 26, signal: 9 });
    same('macd_hist', macd.histogram.data, (v, i) => (Math.floor(i / A) >= 34 ? v / panel.close[i]! : NaN));
    same('funding_z_90', RollingZScoreKernel.cpu({ rows: T, cols: A, data: funding }, { window: 90 }).data);
    // the market's correlation: returns with the market as a last column, as the batch catalogue built them
    const r = new Float64Array(T * (A + 1)).fill(NaN);
    for (let t = 1; t < T; t++) {
      let sum = 0;
      let n = 0;
      for (let a = 0; a < A; a++) {
        const v = Math.log(panel.close[t * A + a]! / panel.close[(t - 1) * A + a]!);
        r[t * (A + 1) + a] = v;
        sum += v;
        n++;
      }
      r[t * (A + 1) + A] = sum / n;
    }
    const corr = RollingCorrelationKernel.cpu({ rows: T, cols: A + 1, data: r }, { window: 96, ref: A }).data;
    same('corr_mkt_96', corr.filter((_, i) => i % (A + 1) < A));
  });

  it('pushed bar by bar, gives the rows of computeFeatures over the whole panel', () => {
    const stream = new FeatureStream(panel.symbols, { hasFunding: true });
    const F = stream.features.length;
    for (let t = 0; t < T; t++) {
      const row = stream.push(panelBar({ panel, funding }, t));
      if (t % 97 !== 0 && t !== T - 1) continue;
      for (let f = 0; f < F; f++) for (let a = 0; a < A; a++) expect(Object.is(row[f * A + a], full.columns[f]![t * A + a])).toBe(true);
    }
  });
});

describe('computeFeatures on the committed real sample (data/)', () => {
  const dir = SAMPLE_DATA_DIR;
  it('computes every feature on the perp 1h folder with its funding', () => {
    const ds = loadDataset({ dir: join(dir!, 'crypto/binance/perp'), timeframe: '1h' });
    expect(ds.funding).toBeDefined();
    const set = computeFeatures({ panel: ds.panel, ...(ds.funding ? { funding: ds.funding } : {}) });
    const n = ds.panel.nTimes * ds.panel.nAssets;
    set.features.forEach((f, k) => {
      const finite = set.columns[k]!.reduce((s, v) => s + (Number.isFinite(v) ? 1 : 0), 0);
      expect(finite / n, f.name).toBeGreaterThan(0.9);
    });
    const btc = ds.panel.symbols.indexOf('BTC/USDT');
    const corrBtc = col(set, 'corr_btc_96');
    expect(corrBtc[(ds.panel.nTimes - 1) * ds.panel.nAssets + btc]).toBeCloseTo(1, 6);
  });
});
