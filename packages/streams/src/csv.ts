/** Candle file reader: parses one `ts,open,high,low,close,volume` CSV (gzip or plain) into a series plus every data issue. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ERR, TIMEFRAMES, arenaError, arenaErrorAt, timeframeFromMs, timeframeMs } from '@arena/core';
import type { DataIssue, OhlcvSeries, Timeframe } from '@arena/core';

export const CANDLE_HEADER = 'ts,open,high,low,close,volume';
const FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
/** Below 1e11 ms (1973-03) a ts is almost surely seconds; from 2100 on, micro- or nanoseconds. */
const TS_MIN = 1e11;
const TS_MAX = Date.UTC(2100, 0, 1);

export interface CandleStats {
  readonly rows: number;
  readonly goodRows: number;
  readonly badRows: number;
  readonly warnings: number;
  readonly duplicates: number;
  readonly backwards: number;
  /** Gap events (one per run of missing bars) and the bars missing inside the range. */
  readonly gaps: number;
  readonly missingBars: number;
  readonly firstTs: number | undefined;
  readonly lastTs: number | undefined;
}

export interface CandleFile {
  readonly path: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Only the good rows; rejected rows are in `issues`, never here. */
  readonly series: OhlcvSeries;
  readonly issues: DataIssue[];
  readonly stats: CandleStats;
}

/** A CandleFile without its arrays, for listings and reports. */
export type CandleFileInfo = Omit<CandleFile, 'series'>;

export interface ReadCandleOptions {
  readonly strict?: boolean;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
}

/** `BTC_USDT.csv.gz` -> `BTC/USDT` (the data format writes `/` as `_`). */
export function symbolFromFileName(path: string): string {
  return basename(path).replace(/\.gz$/i, '').replace(/\.csv$/i, '').replaceAll('_', '/');
}

export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Reads a whole file as text, gunzipping by magic bytes rather than by name. latin1 keeps one char per byte (fast). */
export function readCsvText(path: string): string {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw arenaError(ERR.DATA_FILE, path, (e as Error).message);
  }
  if (!isGzip(raw)) return raw.toString('latin1');
  try {
    return gunzipSync(raw).toString('latin1');
  } catch (e) {
    throw arenaError(ERR.DATA_FILE, path, `gzip: ${(e as Error).message} (truncated or corrupt)`);
  }
}

/** [kind, message] of a rejected row. */
type Problem = readonly [string, string];

/** Issues carry the line so row errors and gap warnings can be merged in file order. */
interface LineIssue extends DataIssue {
  readonly line: number;
}

export function readCandleFile(path: string, opts: ReadCandleOptions = {}): CandleFile {
  const text = readCsvText(path);
  const eol = text.indexOf('\n') === -1 ? text.length : text.indexOf('\n');
  let header = text.slice(0, eol).replace(/\r$/, '');
  if (header.startsWith('\u00ef\u00bb\u00bf')) header = header.slice(3); // UTF-8 BOM read as latin1
  if (header !== CANDLE_HEADER) throw arenaErrorAt(ERR.DATA_HEADER, `${path}:1`, header.slice(0, 80), CANDLE_HEADER);

  // Upper bound on rows = newlines after the header (+1 for a last line without one).
  let capacity = 1;
  for (let p = text.indexOf('\n', eol + 1); p !== -1; p = text.indexOf('\n', p + 1)) capacity++;
  const cols = FIELDS.map(() => new Float64Array(capacity));
  const [ts, open, high, low, close, volume] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const lines = new Int32Array(capacity); // file line of each good row, for messages
  const issues: LineIssue[] = [];
  let badRows = 0;
  const bad = (line: number, [kind, message]: Problem) => (badRows++, issues.push({ severity: 'error', kind, where: `${path}:${line}`, message, line }));
  const warn = (line: number, kind: string, message: string) => issues.push({ severity: 'warning', kind, where: `${path}:${line}`, message, line });

  let n = 0;
  let rows = 0;
  let duplicates = 0;
  let backwards = 0;
  let line = 1;
  let pos = eol + 1;
  while (pos < text.length) {
    line++;
    let end = text.indexOf('\n', pos);
    const next = end === -1 ? text.length : end + 1;
    if (end === -1) end = text.length;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    const start = pos;
    pos = next;
    if (end === start && next >= text.length) break; // trailing newline at end of file
    rows++;
    const unreadable = parseRowFast(text, start, end, cols, n) ? undefined : parseRowSlow(text, start, end, cols, n);
    if (unreadable) {
      bad(line, unreadable);
      continue;
    }
    const t = ts[n]!;
    const o = open[n]!;
    const h = high[n]!;
    const l = low[n]!;
    const c = close[n]!;
    const vol = volume[n]!;
    const prev = n > 0 ? ts[n - 1]! : -Infinity;
    let problem: Problem | undefined;
    if (!Number.isInteger(t)) problem = ['ts_not_integer', `ts ${t} is not an integer of milliseconds`];
    else if (t < TS_MIN || t >= TS_MAX) problem = ['ts_implausible', `ts ${t} is outside 1973-03-03..2100-01-01 (expected ms since the epoch)`];
    else if (h < l) problem = ['high_below_low', `high ${h} < low ${l}`];
    else if (vol < 0) problem = ['negative_volume', `volume ${vol} < 0`];
    else if (t === prev) (duplicates++, (problem = ['duplicate', `duplicate ts ${t} (${tsToIso(t)}), first seen at line ${lines[n - 1]}; first kept`]));
    else if (t < prev) (backwards++, (problem = ['backwards', `ts ${t} (${tsToIso(t)}) goes backwards from ${prev} at line ${lines[n - 1]}`]));
    if (problem) {
      bad(line, problem);
      continue;
    }
    if (o < l || o > h) warn(line, 'open_outside_range', `open ${o} outside [low ${l}, high ${h}]`);
    if (c < l || c > h) warn(line, 'close_outside_range', `close ${c} outside [low ${l}, high ${h}]`);
    if (o <= 0 || h <= 0 || l <= 0 || c <= 0) warn(line, 'non_positive_price', `price <= 0: open ${o} high ${h} low ${l} close ${c}`);
    if (vol === 0) warn(line, 'zero_volume', 'volume 0');
    lines[n] = line;
    n++;
  }

  const timeframe = opts.timeframe ?? inferTimeframe(ts.subarray(0, n), path);
  const offGrid = n;
  n = dropOffGrid(cols, lines, n, timeframe, (i, message) => bad(lines[i]!, ['off_grid', message]));
  const gaps = findGaps(ts.subarray(0, n), timeframe);
  for (const g of gaps.events) {
    warn(lines[g.index]!, 'gap', `gap of ${g.missing} missing ${timeframe} bar${g.missing === 1 ? '' : 's'} from ${tsToIso(ts[g.index - 1]!)} to ${tsToIso(ts[g.index]!)}`);
  }
  // Stable sort by line: row issues are already in file order, a gap warning goes after its row's own warnings.
  if (gaps.events.length > 0 || offGrid !== n) issues.sort((x, y) => x.line - y.line);

  const firstError = issues.find((i) => i.severity === 'error');
  if (opts.strict && firstError) throw arenaErrorAt(ERR.DATA_STRICT, firstError.where, badRows, path, firstError.message);

  const series: OhlcvSeries = {
    symbol: opts.symbol ?? symbolFromFileName(path),
    timeframe,
    ts: ts.slice(0, n),
    open: open.slice(0, n),
    high: high.slice(0, n),
    low: low.slice(0, n),
    close: close.slice(0, n),
    volume: volume.slice(0, n),
  };
  const out: DataIssue[] = issues.map(({ severity, kind, where, message }) => ({ severity, kind, where, message }));
  return {
    path,
    symbol: series.symbol,
    timeframe,
    series,
    issues: out,
    stats: {
      rows,
      goodRows: n,
      badRows,
      warnings: out.length - badRows,
      duplicates,
      backwards,
      gaps: gaps.events.length,
      missingBars: gaps.missingBars,
      firstTs: n > 0 ? ts[0]! : undefined,
      lastTs: n > 0 ? ts[n - 1]! : undefined,
    },
  };
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Parses a plain `-?digits[.digits]` row by char codes into column n. mantissa / 10^k with
 * mantissa <= 2^53 and k <= 22 is one correctly rounded IEEE division, so the value equals Number(text)
 * exactly. Returns false for anything else (exponents, spaces, empty or bad fields, wrong field count):
 * the caller then takes the slow path, which also explains what is wrong.
 */
function parseRowFast(text: string, start: number, end: number, cols: Float64Array[], n: number): boolean {
  let p = start;
  for (let f = 0; f < 6; f++) {
    let neg = false;
    if (p < end && text.charCodeAt(p) === 45) {
      neg = true;
      p++;
    }
    let mant = 0;
    let digits = 0;
    let k = 0;
    let dot = false;
    while (p < end) {
      const c = text.charCodeAt(p);
      if (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
        if (dot) k++;
      } else if (c === 46 && !dot) dot = true;
      else break;
      p++;
    }
    if (digits === 0 || mant > 9007199254740991 || k > 22) return false;
    if (f < 5) {
      if (p >= end || text.charCodeAt(p) !== 44) return false;
      p++;
    } else if (p !== end) return false;
    const v = k === 0 ? mant : mant / POW10[k]!;
    cols[f]![n] = neg ? -v : v;
  }
  return true;
}

/** For rows the fast path declines: splits on commas, parses with Number() and says what is wrong, if anything. */
function parseRowSlow(text: string, start: number, end: number, cols: Float64Array[], n: number): Problem | undefined {
  const fields = text.slice(start, end).split(',');
  if (fields.length !== 6) return ['fields', end === start ? 'empty line' : `expected 6 fields, got ${fields.length}`];
  for (let f = 0; f < 6; f++) {
    const s = fields[f]!;
    const v = Number(s);
    if (s.trim() === '') return ['empty', `empty ${FIELDS[f]}`];
    if (v !== v) return ['not_number', `${FIELDS[f]} "${s.slice(0, 40)}" is not a number`];
    if (v === Infinity || v === -Infinity) return ['not_finite', `${FIELDS[f]} ${s} is not finite`];
    cols[f]![n] = v;
  }
  return undefined;
}

/**
 * Intraday rows must sit on the file's bar grid (a whole number of bars after its first bar; the grid is not
 * forced onto UTC hours, so US sessions opening at :30 are fine). A row off the grid (a 20:30 bar in hourly
 * data) would add a time row where every other asset is missing, so it is rejected. Daily bars are exempt:
 * their time of day moves with daylight saving. Compacts the columns in place; returns the new row count.
 */
function dropOffGrid(cols: Float64Array[], lines: Int32Array, n: number, tf: Timeframe, reject: (i: number, message: string) => void): number {
  if (tf === '1d' || n === 0) return n;
  const ts = cols[0]!;
  const step = timeframeMs(tf);
  const first = ts[0]!;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const off = (ts[i]! - first) % step;
    if (off !== 0) {
      reject(i, `ts ${ts[i]} (${tsToIso(ts[i]!)}) is ${off / 1000} s off the ${tf} grid that starts at ${tsToIso(first)}`);
      continue;
    }
    if (k !== i) {
      for (const col of cols) col[k] = col[i]!;
      lines[k] = lines[i]!;
    }
    k++;
  }
  return k;
}

/** The timeframe is the most common spacing between consecutive good bars (gaps and weekends do not move the mode). */
export function inferTimeframe(ts: Float64Array, path: string): Timeframe {
  if (ts.length < 2) throw arenaErrorAt(ERR.DATA_SPACING, path, `${ts.length} good bar(s) are too few to infer the bar spacing; put the file in a folder named after its timeframe (e.g. 1h/)`);
  const counts = new Map<number, number>();
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let mode = 0;
  let best = -1;
  for (const [d, k] of counts) if (k > best || (k === best && d < mode)) (mode = d), (best = k);
  const tf = timeframeFromMs(mode);
  if (!tf) throw arenaErrorAt(ERR.DATA_SPACING, path, `the most common bar spacing, ${mode} ms, is none of ${TIMEFRAMES.join(' ')}`);
  return tf;
}

/** ISO time without the noise of zero seconds: `2020-04-20T00:00Z`. */
export function tsToIso(ts: number): string {
  return new Date(ts).toISOString().replace(':00.000Z', 'Z');
}

const DAY = 86_400_000;
/** 0 = Sunday; 1970-01-01 was a Thursday. */
const weekday = (day: number) => (((day + 4) % 7) + 7) % 7;

interface GapScan {
  /** index = the first bar after the gap. */
  readonly events: { readonly index: number; readonly missing: number }[];
  readonly missingBars: number;
}

/**
 * Missing bars between consecutive bars. Daily files with (almost) no weekend bars are exchange-traded
 * (stocks, futures; a few settlement-day prints on weekends do not change that): there a weekend is
 * not a gap, but a missing weekday (holiday, halt) is.
 */
export function findGaps(ts: Float64Array, tf: Timeframe): GapScan {
  const step = timeframeMs(tf);
  let weekendBars = 0;
  if (tf === '1d') {
    for (let i = 0; i < ts.length; i++) {
      const w = weekday(Math.floor(ts[i]! / DAY));
      if (w === 0 || w === 6) weekendBars++;
    }
  }
  const weekdaysOnly = tf === '1d' && weekendBars < 0.05 * ts.length;
  const events: { index: number; missing: number }[] = [];
  let missingBars = 0;
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    if (d <= step) continue;
    let missing = Math.round(d / step) - 1;
    if (weekdaysOnly) {
      missing = 0;
      const last = Math.floor(ts[i]! / DAY);
      for (let day = Math.floor(ts[i - 1]! / DAY) + 1; day < last; day++) {
        const w = weekday(day);
        if (w !== 0 && w !== 6) missing++;
      }
    }
    if (missing > 0) {
      events.push({ index: i, missing });
      missingBars += missing;
    }
  }
  return { events, missingBars };
}
