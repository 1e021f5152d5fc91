/** Loads a folder of candle files into one aligned BarPanel: folder resolution, symbol choice, resampling, timerange. */
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { BarPanel, ERR, TIMEFRAMES, arenaError, formatTimerange, timeframeMs, timerangeIndices } from '@arena/core';
import type { DataIssue, OhlcvSeries, Timeframe, Timerange } from '@arena/core';
import { CANDLE_HEADER, isGzip, readCandleFile, symbolFromFileName, tsToIso } from './csv.ts';
import type { CandleFileInfo } from './csv.ts';
import { alignFunding, alignFundingDue } from './funding.ts';
import { canResample, resample } from './resample.ts';

export interface CandleFileRef {
  readonly path: string;
  readonly symbol: string;
}

export interface LoadDatasetOptions {
  readonly dir: string;
  /** `BTC/USDT` or `BTC_USDT` (case-insensitive); all files when omitted. */
  readonly symbols?: readonly string[];
  /** Bars of the panel; coarser than the files means resampling. Default: the files' own timeframe. */
  readonly timeframe?: Timeframe;
  readonly timerange?: Timerange;
  readonly strict?: boolean;
}

export interface LoadedDataset {
  readonly panel: BarPanel;
  readonly files: CandleFileInfo[];
  readonly issues: DataIssue[];
  /** The finest timeframe among the files read. */
  readonly sourceTimeframe: Timeframe;
  readonly resampled: boolean;
  /**
   * Funding rates aligned on the panel ([t * nAssets + a], see alignFunding), when the candle folder has a sibling
   * `funding` folder (perp/1h -> perp/funding) holding a file for at least one symbol.
   */
  readonly funding?: Float64Array;
  /** funding settled at each bar's open ([t * nAssets + a], see alignFundingDue), with `funding` */
  readonly fundingDue?: Float64Array;
  readonly loadMs: number;
}

const normSymbol = (s: string) => s.replaceAll('_', '/').toUpperCase();

export const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** The first line of a file, gunzipping only its first block (Z_SYNC_FLUSH accepts a truncated stream). */
export function peekHeader(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    let text: string;
    try {
      text = (isGzip(head) ? gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }) : head).toString('latin1');
    } catch {
      return ''; // not gzip after all: no candle header
    }
    const eol = text.indexOf('\n');
    return (eol === -1 ? text : text.slice(0, eol)).replace(/\r$/, '').replace(/^\u00ef\u00bb\u00bf/, '');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/**
 * The candle files directly in dir, by name. Funding files (`ts,funding_rate`) are skipped quietly;
 * any other CSV with a foreign header is skipped with a warning pushed to `skipped` when given.
 */
export function listCandleFiles(dir: string, skipped?: DataIssue[]): CandleFileRef[] {
  if (!isDir(dir)) return [];
  const out: CandleFileRef[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/\.csv(\.gz)?$/i.test(name)) continue;
    const path = join(dir, name);
    let header: string;
    try {
      if (!statSync(path).isFile()) continue;
      header = peekHeader(path);
    } catch (e) {
      // a dangling link, a file without read permission: left out, and said so
      skipped?.push({ severity: 'warning', kind: 'unreadable_file', where: path, message: `cannot read it (${(e as Error).message}); file skipped` });
      continue;
    }
    if (header === CANDLE_HEADER) out.push({ path, symbol: symbolFromFileName(path) });
    else if (!header.startsWith('ts,funding_rate')) {
      skipped?.push({ severity: 'warning', kind: 'not_candle_file', where: `${path}:1`, message: `header "${header.slice(0, 80)}" is not ${CANDLE_HEADER}; file skipped` });
    }
  }
  return out;
}

/** dir/<timeframe> if it exists, else dir itself, else the coarsest timeframe subfolder the request can be built from. */
function resolveFolder(dir: string, timeframe: Timeframe | undefined, skipped: DataIssue[]): { folder: string; refs: CandleFileRef[] } {
  if (!isDir(dir)) throw arenaError(ERR.DATA_DIR_MISSING, dir);
  if (timeframe && isDir(join(dir, timeframe))) {
    const folder = join(dir, timeframe);
    const refs = listCandleFiles(folder, skipped);
    if (refs.length === 0) throw arenaError(ERR.DATA_NO_FILES, folder);
    return { folder, refs };
  }
  const refs = listCandleFiles(dir, skipped);
  if (refs.length > 0) return { folder: dir, refs };
  const subs = TIMEFRAMES.filter((tf) => listCandleFiles(join(dir, tf)).length > 0);
  if (subs.length === 0) throw arenaError(ERR.DATA_NO_FILES, dir);
  if (!timeframe) {
    // one timeframe folder: that is the data; several: which one is the user's choice
    if (subs.length === 1) return { folder: join(dir, subs[0]!), refs: listCandleFiles(join(dir, subs[0]!), skipped) };
    throw arenaError(ERR.DATA_NO_FILES, `${dir} (it has timeframe folders ${subs.join(' ')}: pass a timeframe)`);
  }
  const usable = subs.filter((tf) => canResample(tf, timeframe));
  const best = usable[usable.length - 1];
  if (!best) throw arenaError(ERR.DATA_TIMEFRAME, timeframe, subs.join('/'), `${dir} only has folders ${subs.join(' ')}`);
  const folder = join(dir, best);
  return { folder, refs: listCandleFiles(folder, skipped) };
}


function pickSymbols(refs: CandleFileRef[], wanted: readonly string[] | undefined, folder: string): CandleFileRef[] {
  if (!wanted) return refs;
  const seen = new Map<string, string>();
  return wanted.map((w) => {
    const ref = refs.find((r) => normSymbol(r.symbol) === normSymbol(w));
    if (!ref) throw arenaError(ERR.DATA_UNKNOWN_SYMBOL, w, folder, refs.map((r) => r.symbol).join(', '));
    const twice = seen.get(ref.symbol);
    if (twice !== undefined) throw arenaError(ERR.DATA_DUPLICATE_SYMBOL, ref.symbol, `${twice} and ${w}`);
    seen.set(ref.symbol, w);
    return ref;
  });
}

/** Views (no copy) of the bars with start <= ts < end. */
function clip(s: OhlcvSeries, range: Timerange): OhlcvSeries {
  const [i0, i1] = timerangeIndices(s.ts, range);
  if (i0 === 0 && i1 === s.ts.length) return s;
  const v = (a: Float64Array) => a.subarray(i0, Math.max(i0, i1));
  return { symbol: s.symbol, timeframe: s.timeframe, ts: v(s.ts), open: v(s.open), high: v(s.high), low: v(s.low), close: v(s.close), volume: v(s.volume) };
}

export function loadDataset(opts: LoadDatasetOptions): LoadedDataset {
  const t0 = performance.now();
  const issues: DataIssue[] = [];
  const { folder, refs } = resolveFolder(opts.dir, opts.timeframe, issues);
  const chosen = pickSymbols(refs, opts.symbols, folder);
  // one symbol, two files (BTC_USDT.csv and btc_usdt.csv.gz): which one holds the bars is not for the loader to guess
  for (const r of chosen) {
    const same = refs.filter((x) => normSymbol(x.symbol) === normSymbol(r.symbol));
    if (same.length > 1) throw arenaError(ERR.DATA_DUPLICATE_SYMBOL, r.symbol, `files ${same.map((x) => basename(x.path)).join(' and ')} in ${folder}`);
  }
  // a folder named after a timeframe says what its files hold (a one-row file cannot say it itself)
  const folderTf = TIMEFRAMES.find((tf) => basename(folder) === tf);
  const files = chosen.map((r) => readCandleFile(r.path, { ...(opts.strict ? { strict: true } : {}), ...(folderTf ? { timeframe: folderTf } : {}) }));

  const fileTfs = files.map((f) => f.timeframe);
  const finest = fileTfs.reduce((a, b) => (timeframeMs(b) < timeframeMs(a) ? b : a));
  const coarsest = fileTfs.reduce((a, b) => (timeframeMs(b) > timeframeMs(a) ? b : a));
  const target = opts.timeframe ?? coarsest;
  const range = opts.timerange ?? {};
  let resampled = false;
  const series = files.map((f) => {
    if (!canResample(f.timeframe, target)) {
      const why = `${f.path} has ${f.timeframe} bars, and ${target} is ${timeframeMs(target) < timeframeMs(f.timeframe) ? 'finer' : 'not a multiple'}`;
      throw arenaError(ERR.DATA_TIMEFRAME, target, f.timeframe, why);
    }
    // Clip before resampling so that no bar at or after the range end leaks into the last bucket.
    const clipped = clip(f.series, range);
    if (f.timeframe === target) return clipped;
    resampled = true;
    return resample(clipped, target);
  });

  if (series.every((s) => s.ts.length === 0)) {
    const first = Math.min(...files.map((f) => f.stats.firstTs ?? Infinity));
    const last = Math.max(...files.map((f) => f.stats.lastTs ?? -Infinity));
    const covers = Number.isFinite(first) ? `${tsToIso(first)} .. ${tsToIso(last)}` : 'no good bars at all';
    throw arenaError(ERR.DATA_EMPTY_RANGE, folder, formatTimerange(range), covers);
  }
  files.forEach((f, i) => {
    issues.push(...f.issues);
    if (series[i]!.ts.length === 0) {
      issues.push({ severity: 'warning', kind: 'empty_in_range', where: f.path, message: `${f.symbol} has no bars inside ${formatTimerange(range)}; its column is all missing` });
    }
  });
  const panel = BarPanel.fromSeries(series, target);
  const fundingDir = join(dirname(folder), 'funding');
  const funding = isDir(fundingDir) ? alignFunding(panel, fundingDir) : undefined;
  const fundingDue = funding !== undefined ? alignFundingDue(panel, fundingDir) : undefined;
  const infos: CandleFileInfo[] = files.map(({ path, symbol, timeframe, issues: fi, stats }) => ({ path, symbol, timeframe, issues: fi, stats }));
  return { panel, files: infos, issues, sourceTimeframe: finest, resampled, ...(funding ? { funding } : {}), ...(fundingDue ? { fundingDue } : {}), loadMs: performance.now() - t0 };
}
