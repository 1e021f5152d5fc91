import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@arena/core';
import type { BacktestResult, StrategyRun } from '../result.ts';
import { emptyFills } from '../result.ts';
import { boxTable, formatSummary } from './console.ts';
import { jsonNumber, reportJson } from './json.ts';
import { buildReport, canonicalJson } from './model.ts';
import { renderHtml } from './html.ts';
import { downsampleMinMax, MAX_PLOT_POINTS } from './svg.ts';
import { writeReports } from './write.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** Deterministic uniform [0, 1) numbers (a small LCG), so the test inputs never change. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function walkRun(name: string, n: number, seed: number, initialCash: number): StrategyRun {
  const rand = lcg(seed);
  const equity = new Float64Array(n);
  const gross = new Float64Array(n);
  const net = new Float64Array(n);
  const turnover = new Float64Array(n);
  const fees = new Float64Array(n);
  let e = initialCash;
  for (let t = 0; t < n; t++) {
    e *= 1 + (rand() - 0.495) * 0.02;
    equity[t] = e;
    gross[t] = rand();
    net[t] = gross[t]! * (rand() * 2 - 1);
    turnover[t] = rand() * 0.1;
    fees[t] = turnover[t]! * e * 0.001;
  }
  return {
    name,
    equity,
    grossExposure: gross,
    netExposure: net,
    turnover,
    fees,
    slippage: fees.map((f) => f / 5),
    funding: new Float64Array(n),
    margin: new Float64Array(n),
    exitsByReason: { signal: 2, stop: 0, target: 0, trailing: 0, time: 0, kill: 0, liquidation: 0 },
    trades: [
      { asset: 0, symbol: 'BTC/USDT', side: 1, entryTs: T0, exitTs: T0 + 5 * HOUR, bars: 5, pnl: 120.5, open: false, reason: 'signal' },
      { asset: 1, symbol: 'ETH/USDT', side: -1, entryTs: T0 + HOUR, exitTs: T0 + 9 * HOUR, bars: 8, pnl: -40.25, open: false, reason: 'signal' },
      { asset: 0, symbol: 'BTC/USDT', side: 1, entryTs: T0 + 9 * HOUR, exitTs: T0 + (n - 1) * HOUR, bars: n - 10, pnl: 7, open: true, reason: 'signal' },
    ],
    nFills: 42,
    nPartialFills: 3,
    nCancelled: 0,
    fills: emptyFills(),
    assetPnl: Float64Array.from([e - initialCash + 500, -500]),
  };
}

const BASELINES = ['buy_and_hold', 'trend', 'reversal', 'equal_weight_experts'];

function makeResult(n: number, config = parseConfig({})): BacktestResult {
  const initialCash = 100_000;
  return {
    config,
    compute: { backend: 'cpu', experts: 'kernels', note: 'test' },
    source: 'synthetic seed=42',
    symbols: ['BTC/USDT', 'ETH/USDT'],
    timeframe: '1h',
    ts: Float64Array.from({ length: n }, (_, i) => T0 + i * HOUR),
    periodsPerYear: 8760,
    initialCash,
    main: walkRun('arena', n, 1, initialCash),
    expertAttribution: [
      { expert: 'trend', weight: 0.25, pnl: 1234.5 },
      { expert: 'reversal', weight: 0.25, pnl: -321 },
      { expert: 'breakout', weight: 0.25, pnl: 0 },
      { expert: 'positioning', weight: 0.25, pnl: 99.9 },
    ],
    baselines: BASELINES.map((name, k) => walkRun(name, n, 10 + k, initialCash)),
    fillAssumptions: 'Market orders fill at the next bar open +- half spread + impact; fees 10 bps; at most 10% of bar volume.',
    dataIssues: { errors: 2, warnings: 5 },
    halts: [{ ts: Date.UTC(2024, 0, 3, 5), reason: 'kill switch at 2024-01-03T05:00: drawdown 26.10% from the peak 101000.00 reached risk.maxDrawdown 25.00%: flattened, trading paused' }],
  };
}

describe('report JSON', () => {
  const result = makeResult(5000);

  it('is byte-identical across builds, and independent of the config key insertion order', () => {
    const a = reportJson(buildReport(result));
    const b = reportJson(buildReport(makeResult(5000)));
    expect(b).toBe(a);
    const reversed = JSON.parse(JSON.stringify(result.config), (_k, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    ) as BacktestResult['config'];
    expect(Object.keys(reversed)[0]).not.toBe(Object.keys(result.config)[0]);
    expect(reportJson(buildReport({ ...result, config: reversed }))).toBe(a);
  });

  it('has a fixed key order and parses back', () => {
    const parsed = JSON.parse(reportJson(buildReport(result))) as Record<string, Record<string, unknown>>;
    expect(Object.keys(parsed)).toEqual(['format', 'version', 'meta', 'metrics', 'execution', 'assets', 'experts', 'baselines', 'curves']);
    expect(parsed.execution).toEqual({ exitsByReason: { signal: 2, stop: 0, target: 0, trailing: 0, time: 0, kill: 0, liquidation: 0 }, funding: 0, liquidations: 0, maxMargin: 0 });
    expect(Object.keys(parsed.meta!)).toEqual([
      'strategy', 'source', 'symbols', 'timeframe', 'firstBar', 'lastBar', 'bars', 'periodsPerYear',
      'initialCash', 'fillAssumptions', 'dataIssues', 'halts', 'compute', 'config',
    ]);
    expect(Object.keys(parsed.metrics!).slice(0, 4)).toEqual(['bars', 'totalReturn', 'cagr', 'annualVol']);
    expect(parsed.meta!.firstBar).toBe('2024-01-01T00:00:00.000Z');
    expect(parsed.meta!.dataIssues).toEqual({ errors: 2, warnings: 5 });
    expect(parsed.meta!.halts).toEqual([{ at: '2024-01-03T05:00:00.000Z', reason: 'kill switch at 2024-01-03T05:00: drawdown 26.10% from the peak 101000.00 reached risk.maxDrawdown 25.00%: flattened, trading paused' }]);
    expect((parsed.baselines as unknown as { name: string }[]).map((b) => b.name)).toEqual(BASELINES);
    expect(Object.keys(parsed.meta!.config as object)).toEqual([...Object.keys(parsed.meta!.config as object)].sort());
  });

  it('rounds floats to 10 significant digits, keeps integers, writes non-finite as null', () => {
    expect(jsonNumber(0.1 + 0.2)).toBe('0.3');
    expect(jsonNumber(1 / 3)).toBe('0.3333333333');
    expect(jsonNumber(T0)).toBe(String(T0));
    expect(jsonNumber(-0)).toBe('0');
    expect(jsonNumber(Infinity)).toBe('null');
    expect(jsonNumber(NaN)).toBe('null');
    const allWinners = makeResult(50);
    const main = { ...allWinners.main, trades: allWinners.main.trades.filter((t) => t.pnl > 0) };
    const parsed = JSON.parse(reportJson(buildReport({ ...allWinners, main }))) as { metrics: { profitFactor: unknown } };
    expect(parsed.metrics.profitFactor).toBeNull();
  });

  it('computes attribution shares over gross |pnl|', () => {
    const model = buildReport(result);
    expect(model.experts.map((e) => e.expert)).toEqual(['trend', 'reversal', 'breakout', 'positioning']);
    expect(model.experts[0]!.share).toBeCloseTo(1234.5 / (1234.5 + 321 + 0 + 99.9), 12);
    expect(model.experts[1]!.share).toBeLessThan(0);
    const absSum = model.assets.reduce((a, s) => a + Math.abs(s.share), 0);
    expect(absSum).toBeCloseTo(1, 12);
  });

  it('downsamples every curve to at most MAX_PLOT_POINTS points', () => {
    const model = buildReport(result);
    for (const c of [...model.curves.equity, model.curves.drawdown, model.curves.grossExposure, model.curves.netExposure]) {
      expect(c.x.length).toBe(c.y.length);
      expect(c.x.length).toBeLessThanOrEqual(MAX_PLOT_POINTS);
    }
    expect(model.curves.equity.map((c) => c.name)).toEqual(['arena', ...BASELINES]);
  });
});

describe('HTML report', () => {
  const html = renderHtml(buildReport(makeResult(3000)));

  it('is self-contained: no external script, style sheet, font or link', () => {
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('holds one <svg> per plot: equity, drawdown, exposure, exits, per-expert and per-asset (and on perpetuals margin and funding)', () => {
    expect(html.match(/<svg /g)?.length).toBe(6);
    for (const title of ['Equity', 'Drawdown', 'Exposure', 'Positions closed, by what closed them', 'Per-expert', 'Per-asset']) expect(html).toContain(title);
    expect(html).not.toContain('Margin used');
    const base = makeResult(60);
    const perp = renderHtml(buildReport({ ...base, config: { ...base.config, market: { ...base.config.market, kind: 'perp' } } }));
    expect(perp.match(/<svg /g)?.length).toBe(8);
    for (const title of ['Margin used', 'Funding, cumulative', 'Liquidations']) expect(perp).toContain(title);
    // date labels on the time axes
    expect(html).toMatch(/>2024-0[1-5]/);
  });

  it('shows the tables, every baseline and the fill assumptions, escaped', () => {
    for (const name of BASELINES) expect(html).toContain(name);
    expect(html).toContain('Summary metrics');
    expect(html).toContain('Market orders fill at the next bar open');
    const evil = renderHtml(buildReport({ ...makeResult(20), fillAssumptions: '<b>x</b> & y' }));
    expect(evil).toContain('&lt;b&gt;x&lt;/b&gt; &amp; y');
  });

  it('renders an empty run without throwing', () => {
    const empty = renderHtml(buildReport(makeResult(0)));
    expect(empty).toContain('no data');
    expect(formatSummary(buildReport(makeResult(0)))).toContain('SUMMARY METRICS');
  });
});

describe('console summary', () => {
  const summary = formatSummary(buildReport(makeResult(2000)));

  it('contains SUMMARY METRICS, every baseline, the attribution tables and the fill assumptions', () => {
    expect(summary).toContain('SUMMARY METRICS');
    for (const name of BASELINES) expect(summary).toContain(name);
    expect(summary).toContain('PER-ASSET PNL');
    expect(summary).toContain('PER-EXPERT ATTRIBUTION');
    expect(summary).toContain('ETH/USDT');
    expect(summary).toContain('Fill assumptions: Market orders');
    expect(summary).toMatch(/Kill switch\s*│ kill switch at 2024-01-03T05:00: drawdown 26\.10%/);
    expect(formatSummary(buildReport({ ...makeResult(50), halts: [] }))).toMatch(/Kill switch\s*│ never fired/);
  });

  it('draws tables whose rows all have the same width', () => {
    const table = boxTable('T', ['a', 'bb'], [['long cell', '1'], ['x', '123456']]);
    const widths = table.split('\n').slice(1).map((l) => [...l].length);
    expect(new Set(widths).size).toBe(1);
    expect(table).toContain('│ long cell │      1 │');
  });
});

describe('downsampleMinMax', () => {
  it('keeps the global min and max, the first and last point, in x order', () => {
    const n = 120_000;
    const rand = lcg(7);
    const x = Float64Array.from({ length: n }, (_, i) => T0 + i * HOUR);
    const y = Float64Array.from({ length: n }, () => rand());
    y[54_321] = -5;
    y[98_765] = 9;
    const d = downsampleMinMax(x, y, 1500);
    expect(d.x.length).toBeLessThanOrEqual(1500);
    expect(Math.min(...d.y)).toBe(-5);
    expect(Math.max(...d.y)).toBe(9);
    expect(d.x).toContain(x[54_321]);
    expect(d.x).toContain(x[98_765]);
    expect(d.x[0]).toBe(x[0]);
    expect(d.x[d.x.length - 1]).toBe(x[n - 1]);
    for (let i = 1; i < d.x.length; i++) expect(d.x[i]!).toBeGreaterThan(d.x[i - 1]!);
  });

  it('copies a series that already fits', () => {
    const d = downsampleMinMax([1, 2, 3], [3, 1, 2], 1500);
    expect(d).toEqual({ x: [1, 2, 3], y: [3, 1, 2] });
  });
});

describe('writeReports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder and writes report.json and report.html', () => {
    const result = makeResult(500);
    const out = join(dir, 'nested', 'run1');
    const written = writeReports(result, out);
    expect(written.json).toBe(join(out, 'report.json'));
    expect(written.html).toBe(join(out, 'report.html'));
    expect(readFileSync(written.json, 'utf8')).toBe(reportJson(buildReport(result)));
    expect(readFileSync(written.html, 'utf8')).toContain('<svg ');
    expect(written.summary).toContain('SUMMARY METRICS');
  });

  it('wraps fs errors in ARENA_E_REPORT_WRITE naming the path', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const target = join(blocker, 'sub');
    expect(() => writeReports(makeResult(10), target)).toThrow(/ARENA_E_REPORT_WRITE.*a-file/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys deeply and drops undefined members', () => {
    expect(JSON.stringify(canonicalJson({ b: 1, a: { d: undefined, c: [2, { z: 1, y: 2 }] } }))).toBe('{"a":{"c":[2,{"y":2,"z":1}]},"b":1}');
  });
});
