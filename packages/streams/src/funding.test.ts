import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BarPanel, SAMPLE_DATA_DIR } from '@arena/core';
import { FundingSchedule, alignFunding, readFundingFile } from './funding.ts';
import { loadDataset } from './loadDataset.ts';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const CANDLE_HEADER = 'ts,open,high,low,close,volume';
const candles = (n: number) => [CANDLE_HEADER, ...Array.from({ length: n }, (_, i) => `${T0 + i * H},100,101,99,100.5,${i + 1}`)].join('\n') + '\n';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'arena-funding-'));
}

function write(dir: string, name: string, text: string, gzip = false): string {
  const path = join(dir, name);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

/** An hourly panel of `n` bars for the symbols (prices do not matter to funding). */
function hourlyPanel(symbols: string[], n: number): BarPanel {
  return new BarPanel(symbols, '1h', Float64Array.from({ length: n }, (_, i) => T0 + i * H));
}

describe('readFundingFile', () => {
  it('reads plain and gzip files, with or without a final newline or CRLF', () => {
    const dir = tmp();
    const text = `ts,funding_rate\r\n${T0},0.0001\r\n${T0 + 8 * H},-0.00025\r\n`;
    for (const path of [write(dir, 'A.csv', text), write(dir, 'B.csv.gz', text, true), write(dir, 'C.csv', text.trimEnd())]) {
      const f = readFundingFile(path);
      expect(Array.from(f.ts)).toEqual([T0, T0 + 8 * H]);
      expect(Array.from(f.rate)).toEqual([0.0001, -0.00025]);
    }
  });

  it('rejects a bad header or a bad row with file:line and the reason', () => {
    const dir = tmp();
    const cases: [string, RegExp][] = [
      ['ts,rate\n1,2\n', /F0\.csv:1: bad funding header "ts,rate" \(expected ts,funding_rate\)/],
      [`ts,funding_rate\n${T0},0.0001\n${T0 + H},abc\n`, /F1\.csv:3: funding_rate "abc" is not a finite number/],
      [`ts,funding_rate\n${T0},\n`, /F2\.csv:2: funding_rate "" is not a finite number/],
      [`ts,funding_rate\n${T0 / 1000},0.0001\n`, /F3\.csv:2: ts 1735689600 is outside 1973-03-03\.\.2100-01-01/],
      [`ts,funding_rate\n${T0}.5,0.0001\n`, /F4\.csv:2: ts "1735689600000\.5" is not an integer/],
      [`ts,funding_rate\n${T0},0.0001,7\n`, /F5\.csv:2: expected 2 fields \(ts,funding_rate\), got 3/],
      [`ts,funding_rate\n${T0 + H},0.0001\n${T0},0.0001\n`, /F6\.csv:3: ts 1735689600000 \(2025-01-01T00:00Z\) is before the previous row's 1735693200000 \(2025-01-01T01:00Z\)/],
      [`ts,funding_rate\n${T0},0.0001\n${T0},0.0002\n`, /F7\.csv:3: ts .* is a duplicate of the previous row's/],
      [`ts,funding_rate\n${T0},0.0001\n\n${T0 + H},0.0001\n`, /F8\.csv:3: expected 2 fields/],
    ];
    cases.forEach(([text, message], i) => {
      const path = write(dir, `F${i}.csv`, text);
      expect(() => readFundingFile(path)).toThrow(message);
    });
  });
});

describe('alignFunding', () => {
  it('gives each bar the last rate with ts <= the bar time, NaN before the first and for a symbol without a file', () => {
    const dir = tmp();
    // AAA: rates at bar 2 (exactly on a bar) and between bars 5 and 6; BBB has a gzip file, CCC none
    write(dir, 'AAA_USD.csv', `ts,funding_rate\n${T0 + 2 * H},0.001\n${T0 + 5.5 * H},-0.002\n`);
    write(dir, 'BBB_USD.csv.gz', `ts,funding_rate\n${T0 - 8 * H},0.0003\n`, true);
    const panel = hourlyPanel(['AAA/USD', 'BBB/USD', 'CCC/USD'], 8);
    const f = alignFunding(panel, dir)!;
    const column = (a: number) => Array.from({ length: 8 }, (_, t) => f[t * 3 + a]);
    expect(column(0)).toEqual([NaN, NaN, 0.001, 0.001, 0.001, 0.001, -0.002, -0.002]);
    expect(column(1)).toEqual(Array(8).fill(0.0003));
    expect(column(2)).toEqual(Array(8).fill(NaN));
  });

  it('is undefined when no symbol has a file or the folder does not exist', () => {
    const dir = tmp();
    write(dir, 'OTHER_USD.csv', `ts,funding_rate\n${T0},0.001\n`);
    expect(alignFunding(hourlyPanel(['AAA/USD'], 3), dir)).toBeUndefined();
    expect(alignFunding(hourlyPanel(['AAA/USD'], 3), join(dir, 'nope'))).toBeUndefined();
  });

  it('loadDataset aligns the sibling funding folder on the final (resampled) panel, and leaves funding out without one', () => {
    const root = tmp();
    mkdirSync(join(root, '1h'));
    mkdirSync(join(root, 'funding'));
    write(join(root, '1h'), 'AAA_USD.csv', candles(24));
    write(join(root, 'funding'), 'AAA_USD.csv', `ts,funding_rate\n${T0},0.0001\n${T0 + 8 * H},0.0002\n${T0 + 16 * H},0.0003\n`);
    const hourly = loadDataset({ dir: root, timeframe: '1h' });
    expect(hourly.funding).toHaveLength(24);
    expect([hourly.funding![0], hourly.funding![7], hourly.funding![8], hourly.funding![23]]).toEqual([0.0001, 0.0001, 0.0002, 0.0003]);
    const fourHourly = loadDataset({ dir: root, timeframe: '4h' });
    expect(fourHourly.panel.nTimes).toBe(6);
    expect(Array.from(fourHourly.funding!)).toEqual([0.0001, 0.0001, 0.0002, 0.0002, 0.0003, 0.0003]);

    const bare = tmp();
    mkdirSync(join(bare, '1h'));
    write(join(bare, '1h'), 'AAA_USD.csv', candles(3));
    const noFunding = loadDataset({ dir: bare, timeframe: '1h' });
    expect('funding' in noFunding).toBe(false);
  });
});

describe('funding on the committed real sample (data/)', () => {
  const dir = SAMPLE_DATA_DIR;
  it('aligns every perp symbol, 8h apart, matching the file at sampled bars', () => {
    const ds = loadDataset({ dir: join(dir!, 'crypto/binance/perp'), timeframe: '1h' });
    const { panel } = ds;
    const A = panel.nAssets;
    const funding = ds.funding!;
    expect(funding).toHaveLength(panel.nTimes * A);
    panel.symbols.forEach((symbol, a) => {
      const file = readFundingFile(join(dir!, 'crypto/binance/perp/funding', `${symbol.replace('/', '_')}.csv.gz`));
      expect(file.ts.length).toBeGreaterThan(100);
      // consecutive funding times are 8h apart (Binance's USDT perps in this data)
      for (let k = 1; k < file.ts.length; k++) expect(file.ts[k]! - file.ts[k - 1]!).toBe(8 * H);
      let finite = 0;
      let changes = 0;
      for (let t = 0; t < panel.nTimes; t++) {
        const v = funding[t * A + a]!;
        if (Number.isFinite(v)) finite++;
        if (t > 0 && v !== funding[(t - 1) * A + a]!) changes++;
      }
      expect(finite / panel.nTimes).toBeGreaterThan(0.99);
      // a rate holds for 8 hourly bars: at most one change in 8 bars
      expect(changes).toBeLessThanOrEqual(Math.ceil(panel.nTimes / 8) + 1);
      for (const t of [0, 1, 7, 8, 9, Math.floor(panel.nTimes / 2), panel.nTimes - 1]) {
        let k = -1;
        while (k + 1 < file.ts.length && file.ts[k + 1]! <= panel.ts[t]!) k++;
        expect(funding[t * A + a]).toBe(k >= 0 ? file.rate[k] : NaN);
      }
    });
  });
});

describe('funding due (the broker settles it on perpetuals)', () => {
  const dir = SAMPLE_DATA_DIR;
  it('every rate once, at the first bar at or after its time; a stream gets the same rows bar by bar, also after a resume', () => {
    const ds = loadDataset({ dir: join(dir!, 'crypto/binance/perp'), timeframe: '1h' });
    const { panel } = ds;
    const A = panel.nAssets;
    const due = ds.fundingDue!;
    expect(due).toHaveLength(panel.nTimes * A);
    const fundingDir = join(dir!, 'crypto/binance/perp/funding');
    panel.symbols.forEach((symbol, a) => {
      const file = readFundingFile(join(fundingDir, `${symbol.replace('/', '_')}.csv.gz`));
      // the sum over the run is the sum of the file's rates inside it (bar 0's time included)
      let expected = 0;
      for (let k = 0; k < file.ts.length; k++) if (file.ts[k]! >= panel.ts[0]! && file.ts[k]! <= panel.ts[panel.nTimes - 1]!) expected += file.rate[k]!;
      let got = 0;
      let nonZero = 0;
      for (let t = 0; t < panel.nTimes; t++) {
        got += due[t * A + a]!;
        if (due[t * A + a] !== 0) nonZero++;
      }
      expect(got).toBeCloseTo(expected, 12);
      // 8h funding on 1h bars: one bar in eight
      expect(Math.abs(nonZero - panel.nTimes / 8)).toBeLessThan(3);
    });
    const stream = FundingSchedule.open(fundingDir, panel.symbols)!;
    const k = 1000;
    const resumed = FundingSchedule.open(fundingDir, panel.symbols, panel.ts[k - 1])!;
    for (let t = 0; t < panel.nTimes; t++) {
      const row = Array.from(due.subarray(t * A, (t + 1) * A));
      expect(Array.from(stream.due(panel.ts[t]!))).toEqual(row);
      if (t >= k) expect(Array.from(resumed.due(panel.ts[t]!))).toEqual(row);
    }
    // a bar time not after the last one asked about gets nothing
    expect(Array.from(stream.due(panel.ts[0]!))).toEqual(new Array(A).fill(0));
  });
});
