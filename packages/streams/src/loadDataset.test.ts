import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sharedDataDir } from '@arena/core';
import { listCandleFiles, loadDataset } from './loadDataset.ts';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const HEADER = 'ts,open,high,low,close,volume';
const candles = (from: number, n: number, base: number) =>
  [HEADER, ...Array.from({ length: n }, (_, i) => `${T0 + (from + i) * H},${base + i},${base + i + 1},${base + i - 1},${base + i + 0.5},${i + 1}`)].join('\n') + '\n';

/** root/1h/{AAA_USD.csv, BBB_USD.csv.gz, funding, a foreign csv}; BBB starts 2h later. */
function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'arena-ds-'));
  const d = join(root, '1h');
  mkdirSync(d);
  writeFileSync(join(d, 'AAA_USD.csv'), candles(0, 10, 100));
  writeFileSync(join(d, 'BBB_USD.csv.gz'), gzipSync(candles(2, 8, 50)));
  writeFileSync(join(d, 'AAA_USD_funding.csv'), `ts,funding_rate\n${T0},0.0001\n`);
  writeFileSync(join(d, 'notes.csv'), 'name,value\nx,1\n');
  return root;
}

describe('loadDataset', () => {
  it('uses dir/<timeframe>, aligns the symbols on the union of times, skips funding quietly and warns about foreign CSVs', () => {
    const root = makeRoot();
    const ds = loadDataset({ dir: root, timeframe: '1h' });
    expect(ds.panel.symbols).toEqual(['AAA/USD', 'BBB/USD']);
    expect(ds.panel.nTimes).toBe(10);
    expect(ds.sourceTimeframe).toBe('1h');
    expect(ds.resampled).toBe(false);
    expect(ds.panel.present[0 * 2 + 1]).toBe(0); // BBB has no bar at t=0
    expect(ds.panel.close[2 * 2 + 1]).toBe(50.5);
    expect(ds.issues.map((i) => [i.kind, i.where])).toEqual([['not_candle_file', `${join(root, '1h', 'notes.csv')}:1`]]);
    expect(ds.files.map((f) => f.stats.goodRows)).toEqual([10, 8]);
    expect(ds.loadMs).toBeGreaterThan(0);
  });

  it('reads the files directly in dir, picks symbols in either spelling, and resamples to a coarser timeframe', () => {
    const dir = join(makeRoot(), '1h');
    const ds = loadDataset({ dir, symbols: ['bbb_usd', 'AAA/USD'], timeframe: '4h' });
    expect(ds.panel.symbols).toEqual(['BBB/USD', 'AAA/USD']);
    expect(ds.resampled).toBe(true);
    expect(ds.panel.timeframe).toBe('4h');
    expect(Array.from(ds.panel.ts)).toEqual([T0, T0 + 4 * H, T0 + 8 * H]);
    // AAA bars 0..3 -> open 100, high max(101..104) = 104, low 99, close 103.5, volume 1+2+3+4
    expect([ds.panel.open[1], ds.panel.high[1], ds.panel.low[1], ds.panel.close[1], ds.panel.volume[1]]).toEqual([100, 104, 99, 103.5, 10]);
  });

  it('resamples from a timeframe subfolder when dir holds only those', () => {
    const ds = loadDataset({ dir: makeRoot(), timeframe: '1d' });
    expect(ds.sourceTimeframe).toBe('1h');
    expect(ds.panel.nTimes).toBe(1);
    expect(ds.panel.volume[0]).toBe(55);
  });

  it('filters by timerange, start inclusive and end exclusive, before resampling', () => {
    const ds = loadDataset({ dir: makeRoot(), timeframe: '1h', timerange: { startMs: T0 + 3 * H, endMs: T0 + 5 * H } });
    expect(Array.from(ds.panel.ts)).toEqual([T0 + 3 * H, T0 + 4 * H]);
    const r = loadDataset({ dir: makeRoot(), timeframe: '4h', timerange: { endMs: T0 + 2 * H } });
    expect(r.panel.volume[0]).toBe(3); // only AAA bars 0 and 1, not the rest of the bucket
    expect(r.panel.present[1]).toBe(0);
    expect(r.issues.some((i) => i.kind === 'empty_in_range' && i.message.startsWith('BBB/USD has no bars'))).toBe(true);
  });

  it('says what is wrong: unknown symbol, missing folder, no files, empty range, finer timeframe', () => {
    const root = makeRoot();
    const d = join(root, '1h');
    expect(() => loadDataset({ dir: root, timeframe: '1h', symbols: ['ZZZ/USD'] })).toThrow(
      `ARENA_E_DATA_UNKNOWN_SYMBOL: unknown symbol ZZZ/USD in ${d} (available: AAA/USD, BBB/USD)`,
    );
    expect(() => loadDataset({ dir: join(root, 'nope') })).toThrow(`ARENA_E_DATA_DIR_MISSING: data folder ${join(root, 'nope')} does not exist`);
    const empty = mkdtempSync(join(tmpdir(), 'arena-empty-'));
    expect(() => loadDataset({ dir: empty })).toThrow(`ARENA_E_DATA_NO_FILES: no candle files (*.csv or *.csv.gz) in ${empty}`);
    expect(() => loadDataset({ dir: d, timerange: { startMs: Date.UTC(2030, 0, 1) } })).toThrow(
      `ARENA_E_DATA_EMPTY_RANGE: no bars of ${d} fall inside timerange 20300101- (data covers 2025-01-01T00:00Z .. 2025-01-01T09:00Z)`,
    );
    expect(() => loadDataset({ dir: d, timeframe: '5m' })).toThrow(/ARENA_E_DATA_TIMEFRAME: cannot make 5m bars from 1h data \(.*AAA_USD.csv has 1h bars, and 5m is finer\)/);
  });

  it('a truncated gzip is ARENA_E_DATA_FILE naming the file; a dangling link is left out with a warning; two files of one symbol are refused', () => {
    const root = makeRoot();
    const d = join(root, '1h');
    const whole = gzipSync(candles(0, 400, 10));
    writeFileSync(join(d, 'CCC_USD.csv.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    expect(() => loadDataset({ dir: d })).toThrow(new RegExp(`^ARENA_E_DATA_FILE: cannot read ${join(d, 'CCC_USD.csv.gz')}: gzip: .+ \\(truncated or corrupt\\)$`));
    rmSync(join(d, 'CCC_USD.csv.gz'));
    symlinkSync(join(d, 'gone.csv'), join(d, 'DDD_USD.csv'));
    const ds = loadDataset({ dir: d });
    expect(ds.panel.symbols).toEqual(['AAA/USD', 'BBB/USD']);
    expect(ds.issues.filter((i) => i.kind === 'unreadable_file').map((i) => i.where)).toEqual([join(d, 'DDD_USD.csv')]);
    writeFileSync(join(d, 'aaa_usd.csv.gz'), gzipSync(candles(0, 10, 100)));
    expect(() => loadDataset({ dir: d })).toThrow(`ARENA_E_DATA_DUPLICATE_SYMBOL: symbol AAA/USD is named twice (as files AAA_USD.csv and aaa_usd.csv.gz in ${d})`);
    // only the symbols asked for count: BBB alone loads
    expect(loadDataset({ dir: d, symbols: ['BBB/USD'] }).panel.symbols).toEqual(['BBB/USD']);
  });

  it('lists candle files only', () => {
    const d = join(makeRoot(), '1h');
    expect(listCandleFiles(d).map((r) => r.symbol)).toEqual(['AAA/USD', 'BBB/USD']);
  });
});

describe('loadDataset on the shared data', () => {
  const dir = sharedDataDir();
  it.skipIf(!dir)('loads the 8-symbol 5m crypto folder (skipped when ../shared/data is absent)', () => {
    const ds = loadDataset({ dir: join(dir!, 'crypto/binance/spot'), timeframe: '5m' });
    expect(ds.panel.symbols).toHaveLength(8);
    expect(ds.panel.nTimes).toBeGreaterThan(119_000);
    expect(ds.issues.filter((i) => i.severity === 'error')).toEqual([]);
    console.log(`5m folder: ${ds.panel.symbols.length} symbols x ${ds.panel.nTimes} bars in ${ds.loadMs.toFixed(0)} ms`);
  });
  it.skipIf(!dir)('loads futures 1d with the CL negative close kept as a warning', () => {
    const ds = loadDataset({ dir: join(dir!, 'futures/us/1d'), symbols: ['CL', 'ES'], timerange: { startMs: Date.UTC(2020, 3, 1), endMs: Date.UTC(2020, 4, 1) } });
    const t = Array.from(ds.panel.ts).indexOf(Date.UTC(2020, 3, 20));
    expect(ds.panel.close[t * 2 + 0]).toBe(-37.63);
    expect(ds.issues.some((i) => i.kind === 'non_positive_price' && i.where.includes('CL.csv.gz'))).toBe(true);
    expect(ds.issues.some((i) => i.kind === 'close_outside_range' && i.where.includes('ES.csv.gz'))).toBe(true);
  });
});
