import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDataDir } from '@arena/core';
import { arena } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'arena-features-'));
const shared = sharedDataDir();

interface IcRow {
  feature: string;
  group: string;
  rankIC: number | null;
  icT: number | null;
  hitRate: number | null;
  selectedShare: number;
  samples: number;
}

/** The page without its catalogue table, whose descriptions may say "NaN" in words (e.g. funding without data). */
const withoutCatalogue = (html: string): string => html.replace(/<section id="catalogue">[\s\S]*?<\/section>/, '');

describe('arena features report (CLI, end to end)', () => {
  it('writes features.json and a self-contained features.html on the synthetic market', () => {
    const out = tmp();
    const r = arena(['features', 'report', '--synthetic', '--bars', '2500', '--assets', '4', '--window', '400', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('TOP FEATURES BY |RANK IC|');
    expect(r.stdout).toMatch(/Selections: \d+ \(initial 1, scheduled \d+, drift \d+\)/);
    expect(r.stderr).toContain('features.html');
    expect(existsSync(join(out, 'features.json'))).toBe(true);
    expect(existsSync(join(out, 'features.html'))).toBe(true);

    const json = JSON.parse(readFileSync(join(out, 'features.json'), 'utf8'));
    expect(json.source).toBe('synthetic seed=42');
    expect(json.symbols).toHaveLength(4);
    expect(json.selector.window).toBe(400);
    expect(json.catalogue.length).toBeGreaterThanOrEqual(40);
    expect(json.icTable).toHaveLength(json.catalogue.length);
    expect(json.selections.length).toBeGreaterThanOrEqual(1);
    expect(json.selections[0].reason).toBe('initial');
    expect(Number.isNaN(Date.parse(json.selections[0].ts))).toBe(false);
    for (const row of json.icTable as IcRow[]) {
      expect(row.selectedShare).toBeGreaterThanOrEqual(0);
      expect(row.selectedShare).toBeLessThanOrEqual(1);
      // funding features have no data without a funding folder: their IC is null (not NaN); every other one is finite
      if (row.group === 'funding') continue;
      expect(row.samples, row.feature).toBeGreaterThan(1000);
      expect(Number.isFinite(row.rankIC), row.feature).toBe(true);
      expect(Math.abs(row.rankIC!)).toBeLessThan(1);
      expect(Number.isFinite(row.icT), row.feature).toBe(true);
    }
    const map = json.lastClusters;
    expect(map.features.length).toBe(map.cluster.length);
    expect(map.correlation).toHaveLength(map.features.length);
    for (const name of map.selected) expect(map.features).toContain(name);

    const html = readFileSync(join(out, 'features.html'), 'utf8');
    expect(html.match(/<svg[\s>]/g)?.length).toBe(3);
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const body = withoutCatalogue(html);
    expect(body).not.toContain('NaN');
    expect(body).not.toContain('undefined');
    expect(html).not.toContain('undefined');
    expect(html).toContain('id="catalogue"');
  });

  it('stops with a clear error and exit code 2 on bad flags and settings', () => {
    const notNumber = arena(['features', 'report', '--synthetic', '--bars', '600', '--window', 'abc', '--out', tmp()]);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('ARENA_E_CLI_ARG: invalid value for --window: "abc" is not a number');
    const tooSmall = arena(['features', 'report', '--synthetic', '--bars', '600', '--horizon', '0', '--out', tmp()]);
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.stderr).toContain('ARENA_E_CONFIG: features.horizon must be an integer >= 1, got 0 (--horizon)');
    expect(tooSmall.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const tooShort = arena(['features', 'report', '--synthetic', '--bars', '300', '--out', tmp()]);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain('ARENA_E_DATA_TOO_SHORT');
    expect(tooShort.stderr).toContain('lower --window');
  });

  it.skipIf(!shared)('reports on real Binance data: two symbols, four months of 1h bars (needs ../shared/data)', () => {
    const out = tmp();
    const dir = join(shared!, 'crypto/binance/spot');
    const r = arena(['features', 'report', '--data', dir, '--symbols', 'BTC/USDT,ETH/USDT', '--timeframe', '1h', '--timerange', '20250101-20250501', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'features.json'), 'utf8'));
    expect(json.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(json.timeframe).toBe('1h');
    expect(json.bars).toBe(120 * 24);
    expect(json.from).toBe('2025-01-01T00:00:00.000Z');
    expect(json.selections.length).toBeGreaterThanOrEqual(2);
    const finite = (json.icTable as IcRow[]).filter((row) => row.rankIC !== null);
    expect(finite.length).toBeGreaterThanOrEqual(40);
    const html = readFileSync(join(out, 'features.html'), 'utf8');
    expect(html).toContain('BTC/USDT, ETH/USDT');
    expect(withoutCatalogue(html)).not.toMatch(/NaN|undefined/);
  });
});
