import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SAMPLE_DATA_DIR } from '@arena/core';
import { readCandleFile, symbolFromFileName } from './csv.ts';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const T = (h: number) => T0 + h * H;
const HEADER = 'ts,open,high,low,close,volume';

function tmpFile(name: string, text: string, gzip = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'arena-csv-'));
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

// One line per kind of problem; the comment is the line number in the file (header = 1).
const BAD = [
  HEADER,
  `${T(0)},100,101,99,100.5,10`, // 2 good
  `${T(1)},100,101,99`, // 3 field count
  `${T(1)},,101,99,100,10`, // 4 empty
  `${T(1)},abc,101,99,100,10`, // 5 not a number
  `${T(1)},100,Infinity,99,100,10`, // 6 not finite
  `${T(1) + 0.5},100,101,99,100,10`, // 7 ts not integer
  `${T(1) / 1000},100,101,99,100,10`, // 8 ts in seconds
  `${T(1)},100,101.5,102,101,10`, // 9 high < low
  `${T(1)},100,101,99,100,-5`, // 10 negative volume
  `${T(1)},100,101,99,100,10`, // 11 good
  `${T(1)},100,101,99,100,11`, // 12 duplicate
  `${T(0)},100,101,99,100,10`, // 13 backwards
  `${T(2)},-1,1,-2,-0.5,10`, // 14 warning: price <= 0 (kept)
  `${T(3)},100,101,99,102,10`, // 15 warning: close outside [low, high] (kept)
  `${T(4)},100,101,99,100,0`, // 16 warning: zero volume (kept)
  `${T(7)},100,101,99,100,5`, // 17 warning: gap of 2 bars before it
  '',
].join('\n');

describe('readCandleFile', () => {
  it('rejects each kind of bad row with file:line and the values', () => {
    const path = tmpFile('ABC_USD.csv', BAD);
    const f = readCandleFile(path);
    const errors = f.issues.filter((i) => i.severity === 'error').map((i) => [i.where, i.kind, i.message]);
    expect(errors).toEqual([
      [`${path}:3`, 'fields', 'expected 6 fields, got 4'],
      [`${path}:4`, 'empty', 'empty open'],
      [`${path}:5`, 'not_number', 'open "abc" is not a number'],
      [`${path}:6`, 'not_finite', 'high Infinity is not finite'],
      [`${path}:7`, 'ts_not_integer', `ts ${T(1) + 0.5} is not an integer of milliseconds`],
      [`${path}:8`, 'ts_implausible', `ts ${T(1) / 1000} is outside 1973-03-03..2100-01-01 (expected ms since the epoch)`],
      [`${path}:9`, 'high_below_low', 'high 101.5 < low 102'],
      [`${path}:10`, 'negative_volume', 'volume -5 < 0'],
      [`${path}:12`, 'duplicate', `duplicate ts ${T(1)} (2025-01-01T01:00Z), first seen at line 11; first kept`],
      [`${path}:13`, 'backwards', `ts ${T(0)} (2025-01-01T00:00Z) goes backwards from ${T(1)} at line 11`],
    ]);
    const warnings = f.issues.filter((i) => i.severity === 'warning').map((i) => [i.where, i.kind, i.message]);
    expect(warnings).toEqual([
      [`${path}:14`, 'non_positive_price', 'price <= 0: open -1 high 1 low -2 close -0.5'],
      [`${path}:15`, 'close_outside_range', 'close 102 outside [low 99, high 101]'],
      [`${path}:16`, 'zero_volume', 'volume 0'],
      [`${path}:17`, 'gap', 'gap of 2 missing 1h bars from 2025-01-01T04:00Z to 2025-01-01T07:00Z'],
    ]);
    // Only good rows (warnings included) reach the series; nothing invented, nothing silently dropped.
    expect(Array.from(f.series.ts)).toEqual([T(0), T(1), T(2), T(3), T(4), T(7)]);
    expect(Array.from(f.series.close)).toEqual([100.5, 100, -0.5, 102, 100, 100]);
    expect(f.symbol).toBe('ABC/USD');
    expect(f.timeframe).toBe('1h');
    expect(f.stats).toEqual({
      rows: 16,
      goodRows: 6,
      badRows: 10,
      warnings: 4,
      duplicates: 1,
      backwards: 1,
      gaps: 1,
      missingBars: 2,
      firstTs: T(0),
      lastTs: T(7),
    });
    expect(f.stats.rows).toBe(f.stats.goodRows + f.stats.badRows);
  });

  it('strict mode throws ARENA_E_DATA_STRICT with the count, the file and the first issue', () => {
    const path = tmpFile('ABC_USD.csv', BAD);
    expect(() => readCandleFile(path, { strict: true })).toThrow(
      `ARENA_E_DATA_STRICT: ${path}:3: 10 bad rows in ${path} (first: expected 6 fields, got 4)`,
    );
    const clean = tmpFile('OK.csv', [HEADER, `${T(0)},1,2,0.5,1,1`, `${T(1)},1,2,0.5,1,1`].join('\n'));
    expect(readCandleFile(clean, { strict: true }).stats.badRows).toBe(0);
  });

  it('reads gzip by magic bytes and plain CSV to the same values, CRLF and a missing last newline included', () => {
    const text = [HEADER, `${T(0)},1.5,2.25,0.125,2,1e3`, `${T(1)},1.1,2.2,0.3,2.0000001,0`].join('\r\n');
    const plain = readCandleFile(tmpFile('X_Y.csv', text));
    const gz = readCandleFile(tmpFile('X_Y.csv.gz', text, true));
    const gzNamedPlain = readCandleFile(tmpFile('X_Y.csv', text, true));
    for (const f of [gz, gzNamedPlain]) {
      expect(f.series).toEqual(plain.series);
      expect(f.stats).toEqual(plain.stats);
    }
    expect(Array.from(plain.series.volume)).toEqual([1000, 0]);
    expect(Array.from(plain.series.close)).toEqual([2, 2.0000001]);
    expect(plain.stats.badRows).toBe(0);
  });

  it('rejects a wrong header at file:1', () => {
    const path = tmpFile('A.csv', `time,open,high,low,close,volume\n${T(0)},1,1,1,1,1\n`);
    expect(() => readCandleFile(path)).toThrow(`ARENA_E_DATA_HEADER: ${path}:1: bad header "time,open,high,low,close,volume" (expected ${HEADER})`);
  });

  it('infers the timeframe from the modal spacing, and refuses spacings that are no timeframe', () => {
    const rows = (step: number) => [HEADER, ...[0, 1, 2, 4].map((i) => `${T0 + i * step},1,1,1,1,1`)].join('\n');
    expect(readCandleFile(tmpFile('A.csv', rows(5 * 60_000))).timeframe).toBe('5m');
    expect(readCandleFile(tmpFile('A.csv', rows(86_400_000 * 1))).timeframe).toBe('1d');
    const odd = tmpFile('A.csv', rows(7 * 60_000));
    expect(() => readCandleFile(odd)).toThrow(/ARENA_E_DATA_SPACING: .*the most common bar spacing, 420000 ms, is none of 1m 5m 15m 1h 4h 1d/);
    expect(readCandleFile(odd, { timeframe: '1m' }).timeframe).toBe('1m');
  });

  it('does not count weekends as gaps in weekday-only daily files, but does count a missing weekday', () => {
    // Thu 2024-01-04, Fri 01-05, Mon 01-08, Wed 01-10 (Tue missing)
    const days = [Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 5), Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 10)];
    const f = readCandleFile(tmpFile('SPY.csv', [HEADER, ...days.map((d) => `${d},1,1,1,1,1`)].join('\n')));
    expect(f.stats.gaps).toBe(1);
    expect(f.stats.missingBars).toBe(1);
    expect(f.issues[0]?.message).toBe('gap of 1 missing 1d bar from 2024-01-08T00:00Z to 2024-01-10T00:00Z');
  });

  it('names symbols from file names', () => {
    expect(symbolFromFileName('/x/BTC_USDT.csv.gz')).toBe('BTC/USDT');
    expect(symbolFromFileName('CL.csv')).toBe('CL');
  });
});

describe('readCandleFile on the committed real sample (data/)', () => {
  const dir = SAMPLE_DATA_DIR;
  it('CL keeps the real negative close of 2020-04-20 as a warning', () => {
    const f = readCandleFile(join(dir!, 'futures/us/1d/CL.csv.gz'));
    const i = f.series.ts.indexOf(Date.UTC(2020, 3, 20));
    expect(f.series.close[i]).toBe(-37.63);
    expect(f.series.low[i]).toBe(-40.32);
    expect(f.issues.some((x) => x.kind === 'non_positive_price' && x.message.includes('close -37.63'))).toBe(true);
    expect(f.stats.badRows).toBe(0);
  });
  it('ES has close-outside-range warnings and no errors', () => {
    const f = readCandleFile(join(dir!, 'futures/us/1d/ES.csv.gz'));
    expect(f.issues.filter((x) => x.kind === 'close_outside_range').length).toBeGreaterThan(0);
    expect(f.stats.badRows).toBe(0);
  });
  it('crypto 1h BTC has no errors and no gaps', () => {
    const f = readCandleFile(join(dir!, 'crypto/binance/spot/1h/BTC_USDT.csv.gz'));
    expect(f.symbol).toBe('BTC/USDT');
    expect(f.timeframe).toBe('1h');
    expect(f.stats.badRows).toBe(0);
    expect(f.stats.gaps).toBe(0);
    expect(f.stats.goodRows).toBe(8740);
  });
});

describe('off-grid timestamps', () => {
  it('rejects an intraday row off the file grid with file:line, keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arena-grid-'));
    const h = 3_600_000;
    const t0 = Date.UTC(2025, 0, 1);
    const rows = [0, h, 2 * h, 2.5 * h, 3 * h, 4 * h].map((d) => `${t0 + d},1,2,0.5,1.5,10`);
    const path = join(dir, 'X_USD.csv');
    writeFileSync(path, `ts,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const f = readCandleFile(path);
    expect(f.timeframe).toBe('1h');
    expect(f.series.ts.length).toBe(5);
    expect(f.stats.badRows).toBe(1);
    expect(f.stats.gaps).toBe(0);
    const issue = f.issues.find((i) => i.kind === 'off_grid')!;
    expect(issue.where).toBe(`${path}:5`);
    expect(issue.message).toContain('1800 s off the 1h grid');
  });
});
