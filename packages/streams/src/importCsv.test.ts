import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCsv } from './importCsv.ts';
import { readCandleFile } from './csv.ts';

function input(name: string, text: string): { file: string; outDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'arena-import-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, outDir: join(dir, 'out') };
}

describe('importCsv', () => {
  it('imports ISO dates with Yahoo-style columns, sorts ascending, ignores Adj Close and reports unparsable rows', async () => {
    const io = input(
      'spy.csv',
      [
        'Date,Open,High,Low,Close,Adj Close,Volume',
        '2024-01-03,10,11,9,10.5,1.04,100',
        '2024-01-02,9,10,8,9.5,0.94,200',
        'not-a-date,1,2,0.5,1.5,1.5,3',
        '2024-01-04,x,11,9,10.5,1.04,100',
        '2024-01-05,1,2,3',
        '2024-01-08,10,11,9,10.5,1.04,100',
        '2024-01-08,10,11,9,10.6,1.05,101',
      ].join('\n') + '\n',
    );
    const r = await importCsv({ ...io, symbol: 'SPY' });
    expect(r.outFile).toBe(join(io.outDir, 'SPY.csv.gz'));
    expect(r.columns).toEqual({ ts: 'Date', open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume' });
    expect(r.timeUnit).toBe('text');
    expect([r.inputRows, r.writtenRows, r.unparsedRows]).toEqual([7, 4, 3]);
    expect(r.issues.filter((i) => i.kind === 'unparsed').map((i) => [i.where, i.message])).toEqual([
      [`${io.file}:4`, 'ts "not-a-date" (column Date) is not a time; row not imported'],
      [`${io.file}:5`, 'open "x" (column Open) is not a number; row not imported'],
      [`${io.file}:6`, expect.stringMatching(/^DuckDB could not read this row: .*Columns/)],
    ]);
    // The duplicate is written (not silently dropped) and reported by the loader, which keeps the first.
    expect(r.stats).toMatchObject({ goodRows: 3, duplicates: 1, firstTs: Date.UTC(2024, 0, 2), lastTs: Date.UTC(2024, 0, 8) });
    expect(r.issues.some((i) => i.kind === 'duplicate' && i.where === `${r.outFile}:5`)).toBe(true);
    const text = gunzipSync(readFileSync(r.outFile)).toString();
    expect(text.split('\n').slice(0, 3)).toEqual(['ts,open,high,low,close,volume', `${Date.UTC(2024, 0, 2)},9,10,8,9.5,200`, `${Date.UTC(2024, 0, 3)},10,11,9,10.5,100`]);
    expect(readCandleFile(r.outFile).series.close[1]).toBe(10.5);
  });

  it('imports epoch seconds with short, upper-case column names, symbol from the file name', async () => {
    const t0 = Date.UTC(2025, 0, 1) / 1000;
    const rows = [2, 0, 1, 3].map((i) => `${t0 + i * 3600};${100 + i};${101 + i};${99 + i};${100.5 + i};${1.25 * (i + 1)}`);
    const io = input('ETH_USDT.csv', ['TIMESTAMP;O;H;L;C;VOL', ...rows].join('\n'));
    const r = await importCsv(io);
    expect(r.symbol).toBe('ETH/USDT');
    expect(r.outFile).toBe(join(io.outDir, 'ETH_USDT.csv.gz'));
    expect(r.timeUnit).toBe('s');
    expect(r.timeframe).toBe('1h');
    expect(r.issues).toEqual([]);
    const f = readCandleFile(r.outFile);
    expect(Array.from(f.series.ts)).toEqual([0, 1, 2, 3].map((i) => (t0 + i * 3600) * 1000));
    expect(Array.from(f.series.volume)).toEqual([1.25, 2.5, 3.75, 5]);
  });

  it('imports epoch milliseconds and microseconds, and ISO times with an offset', async () => {
    const t0 = Date.UTC(2025, 0, 1);
    const ms = await importCsv({ ...input('A.csv', `open_time,open,high,low,close,volume\n${t0},1,2,0.5,1,1\n${t0 + 300_000},1,2,0.5,1,1\n`), timeframe: '5m' });
    expect([ms.timeUnit, ms.stats.firstTs, ms.timeframe]).toEqual(['ms', t0, '5m']);
    const us = await importCsv(input('B.csv', `unix,open,high,low,close,volume\n${t0 * 1000},1,2,0.5,1,1\n${(t0 + 60_000) * 1000},1,2,0.5,1,1\n`));
    expect([us.timeUnit, us.stats.lastTs, us.timeframe]).toEqual(['us', t0 + 60_000, '1m']);
    const iso = await importCsv(input('C.csv', 'datetime,open,high,low,close,volume\n2025-01-01T02:00:00+02:00,1,2,0.5,1,1\n2025-01-01T01:00:00Z,1,2,0.5,1,1\n'));
    expect([iso.stats.firstTs, iso.stats.lastTs]).toEqual([t0, t0 + 3_600_000]);
  });

  it('names the missing column', async () => {
    const io = input('X.csv', 'Date,Open,High,Low,Adj Close,Volume\n2024-01-02,1,2,0.5,1,1\n');
    await expect(importCsv(io)).rejects.toThrow(
      `ARENA_E_DATA_IMPORT: cannot import ${io.file}: no close column (looked for close, c); the header has Date, Open, High, Low, Adj Close, Volume`,
    );
  });

  it('refuses a file in which no row parses', async () => {
    const io = input('X.csv', 'ts,open,high,low,close,volume\nfoo,1,2,0.5,1,1\n');
    await expect(importCsv(io)).rejects.toThrow(/ARENA_E_DATA_IMPORT: .*no row could be parsed \(1 unparsed rows; first: ts "foo"/);
  });
});
