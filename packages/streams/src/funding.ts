/** Perpetual funding rates: reads `ts,funding_rate` files and aligns them on a BarPanel (the last rate known at each bar). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BarPanel } from '@arena/core';
import { readCsvText, tsToIso } from './csv.ts';

export const FUNDING_HEADER = 'ts,funding_rate';
/** Below 1e11 ms (1973-03) a ts is almost surely seconds; from 2100 on, micro- or nanoseconds (as for candles). */
const TS_MIN = 1e11;
const TS_MAX = Date.UTC(2100, 0, 1);

export interface FundingSeries {
  /** funding times, ms UTC, strictly ascending */
  readonly ts: Float64Array;
  /** the rate settled at ts, per funding interval (0.0001 = 0.01%) */
  readonly rate: Float64Array;
}

/**
 * Reads a funding file (gzip or plain). Unlike candle files, a bad row is an Error rather than a skipped issue:
 * the files are small and machine-written, and a wrong rate would silently shift every later bar's feature.
 */
export function readFundingFile(path: string): FundingSeries {
  const lines = readCsvText(path).split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').replace(/^\u00ef\u00bb\u00bf/, '');
  if (header !== FUNDING_HEADER) throw new Error(`${path}:1: bad funding header "${header.slice(0, 80)}" (expected ${FUNDING_HEADER})`);
  const ts = new Float64Array(lines.length);
  const rate = new Float64Array(lines.length);
  let n = 0;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k]!.replace(/\r$/, '');
    if (line === '' && k === lines.length - 1) break; // the newline ending the last row
    const at = `${path}:${k + 1}`;
    const fields = line.split(',');
    if (fields.length !== 2) throw new Error(`${at}: expected 2 fields (ts,funding_rate), got ${fields.length}: "${line.slice(0, 80)}"`);
    const [tsText, rateText] = fields as [string, string];
    const t = tsText.trim() === '' ? NaN : Number(tsText);
    const r = rateText.trim() === '' ? NaN : Number(rateText);
    if (!Number.isInteger(t)) throw new Error(`${at}: ts "${tsText}" is not an integer of milliseconds`);
    if (t < TS_MIN || t >= TS_MAX) throw new Error(`${at}: ts ${t} is outside 1973-03-03..2100-01-01 (expected ms since the epoch)`);
    if (!Number.isFinite(r)) throw new Error(`${at}: funding_rate "${rateText}" is not a finite number`);
    if (n > 0 && t <= ts[n - 1]!) {
      throw new Error(`${at}: ts ${t} (${tsToIso(t)}) is ${t === ts[n - 1] ? 'a duplicate of' : 'before'} the previous row's ${ts[n - 1]} (${tsToIso(ts[n - 1]!)})`);
    }
    ts[n] = t;
    rate[n] = r;
    n++;
  }
  return { ts: ts.slice(0, n), rate: rate.slice(0, n) };
}

/** The funding file of a symbol in dir (`BTC/USDT` -> `BTC_USDT.csv.gz`, else `BTC_USDT.csv`), if any. */
export function fundingFileFor(dir: string, symbol: string): string | undefined {
  const base = symbol.replaceAll('/', '_');
  return [`${base}.csv.gz`, `${base}.csv`].map((name) => join(dir, name)).find((p) => existsSync(p));
}

/**
 * Funding on the panel's grid, [t * nAssets + a] = the last rate of symbol a whose ts <= panel.ts[t] (the bar's
 * open time, so the rate is known before the bar closes); NaN before a symbol's first rate and for symbols without
 * a file. undefined when no symbol has a file in dir (or dir does not exist).
 */
export function alignFunding(panel: BarPanel, dir: string): Float64Array | undefined {
  const A = panel.nAssets;
  const T = panel.nTimes;
  let found = false;
  const out = new Float64Array(T * A).fill(NaN);
  panel.symbols.forEach((symbol, a) => {
    const path = fundingFileFor(dir, symbol);
    if (path === undefined) return;
    found = true;
    const { ts, rate } = readFundingFile(path);
    let k = -1; // the last funding row with ts <= the bar's time
    for (let t = 0; t < T; t++) {
      const barTs = panel.ts[t]!;
      while (k + 1 < ts.length && ts[k + 1]! <= barTs) k++;
      if (k >= 0) out[t * A + a] = rate[k]!;
    }
  });
  return found ? out : undefined;
}

/**
 * Funding settled on the panel's grid, for the broker: [t * nAssets + a] = the sum of symbol a's rates whose funding
 * time falls in (ts[t - 1], ts[t]] (bar 0: at ts[0] only), settled at bar t's open on the position carried in; 0
 * where none. undefined when no symbol has a file in dir.
 */
export function alignFundingDue(panel: BarPanel, dir: string): Float64Array | undefined {
  const A = panel.nAssets;
  const T = panel.nTimes;
  let found = false;
  const out = new Float64Array(T * A);
  panel.symbols.forEach((symbol, a) => {
    const path = fundingFileFor(dir, symbol);
    if (path === undefined) return;
    found = true;
    const { ts, rate } = readFundingFile(path);
    let k = 0;
    for (let t = 0; t < T; t++) {
      const barTs = panel.ts[t]!;
      // rates before the first bar were settled before the run held anything
      if (t === 0) while (k < ts.length && ts[k]! < barTs) k++;
      let sum = 0;
      while (k < ts.length && ts[k]! <= barTs) sum += rate[k++]!;
      out[t * A + a] = sum;
    }
  });
  return found ? out : undefined;
}

/**
 * Funding due bar by bar for a stream (Kafka, live), from the same files: due(ts) is, per symbol, the sum of the rates
 * whose funding time falls after the previous bar asked about and at or before ts, the rows alignFundingDue gives a
 * panel of the same bars. A run that resumes after bar time `after` starts there; a new one charges nothing before
 * its first bar. Nothing is allocated per call but the returned row.
 */
export class FundingSchedule {
  private readonly cursor: Int32Array;
  private last: number | undefined;

  private constructor(
    private readonly series: readonly (FundingSeries | undefined)[],
    after: number | undefined,
  ) {
    this.cursor = new Int32Array(series.length);
    this.last = after;
    if (after !== undefined) series.forEach((f, a) => f && this.skip(a, (t) => t <= after));
  }

  /** The schedule of the symbols' files in dir; undefined when none has one. */
  static open(dir: string, symbols: readonly string[], after?: number): FundingSchedule | undefined {
    const series = symbols.map((s) => {
      const path = fundingFileFor(dir, s);
      return path === undefined ? undefined : readFundingFile(path);
    });
    return series.some((f) => f !== undefined) ? new FundingSchedule(series, after) : undefined;
  }

  private skip(a: number, before: (t: number) => boolean): void {
    const f = this.series[a]!;
    let k = this.cursor[a]!;
    while (k < f.ts.length && before(f.ts[k]!)) k++;
    this.cursor[a] = k;
  }

  /** The rates due at bar time ts, per symbol (0 where none); a ts not after the last one asked about gets zeros. */
  due(ts: number): Float64Array {
    const out = new Float64Array(this.series.length);
    if (this.last !== undefined && ts <= this.last) return out;
    const first = this.last === undefined;
    this.last = ts;
    this.series.forEach((f, a) => {
      if (f === undefined) return;
      // a new run's first bar: rates before it were settled before the run held anything
      if (first) this.skip(a, (t) => t < ts);
      let k = this.cursor[a]!;
      let sum = 0;
      while (k < f.ts.length && f.ts[k]! <= ts) sum += f.rate[k++]!;
      this.cursor[a] = k;
      out[a] = sum;
    });
    return out;
  }
}
