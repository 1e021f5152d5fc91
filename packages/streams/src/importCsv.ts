/** `arena data import`: normalises a user's CSV (any column names, ISO or epoch times) into our candle format, via DuckDB. */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ERR, arenaError, isArenaError } from '@arena/core';
import type { DataIssue, Timeframe } from '@arena/core';
import { CANDLE_HEADER, readCandleFile, symbolFromFileName } from './csv.ts';
import type { CandleStats } from './csv.ts';

export interface ImportOptions {
  readonly file: string;
  readonly outDir: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
}

export type TimeUnit = 'text' | 's' | 'ms' | 'us' | 'ns';

export interface ImportResult {
  readonly outFile: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Which input column became which field, e.g. { ts: 'Date', close: 'Close' }. */
  readonly columns: Readonly<Record<(typeof FIELDS)[number], string>>;
  readonly timeUnit: TimeUnit;
  /** Data records in the input, rows written, and rows that could not be parsed (each one is an issue). */
  readonly inputRows: number;
  readonly writtenRows: number;
  readonly unparsedRows: number;
  /** readCandleFile's figures on the written file. */
  readonly stats: CandleStats;
  /** Unparsed input rows (input file:line) first, then readCandleFile's issues on the written file. */
  readonly issues: DataIssue[];
}

const FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
/** Case-insensitive, after trimming and turning spaces/dashes into `_`. `adj close` is deliberately not close. */
const ALIASES: Record<(typeof FIELDS)[number], readonly string[]> = {
  ts: ['ts', 'timestamp', 'datetime', 'date_time', 'open_time', 'time', 'date', 'unix'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
};

const norm = (name: string) => name.trim().toLowerCase().replace(/[\s-]+/g, '_');
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function importCsv(opts: ImportOptions): Promise<ImportResult> {
  // loaded on first use: its native binding takes ~0.4 s to import, and only `arena data import` needs it
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    return await importWith(con, opts);
  } catch (e) {
    // DuckDB's own errors (unreadable file, bad encoding) become our code, with DuckDB's reason.
    if (isArenaError(e) || !(e instanceof Error)) throw e;
    throw arenaError(ERR.DATA_IMPORT, opts.file, e.message);
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

async function importWith(con: DuckDBConnection, opts: ImportOptions): Promise<ImportResult> {
  const { file } = opts;
  // DuckDB would glob a folder's files, or answer a missing file with its SQL: say what is wrong first
  if (!existsSync(file)) throw arenaError(ERR.DATA_IMPORT, file, 'no such file');
  if (!statSync(file).isFile()) throw arenaError(ERR.DATA_IMPORT, file, 'a folder, not a file: name each CSV file');
  if (opts.symbol !== undefined && opts.symbol.trim() === '') throw arenaError(ERR.DATA_IMPORT, file, '--symbol is empty');
  await con.run(`SET TimeZone = 'UTC'`); // naive date strings are UTC, as in our format
  // All columns as text so that we, not the sniffer, decide what a bad value is; rejects keep their line numbers.
  await con.run(
    `CREATE TABLE raw AS SELECT row_number() OVER () AS rn, * FROM read_csv(${sqlString(file)}, header = true, all_varchar = true, store_rejects = true)`,
  );
  const names = (await con.runAndReadAll(`SELECT column_name FROM (DESCRIBE raw) WHERE column_name <> 'rn'`)).getRowsJS().map((r) => String(r[0]));
  const columns = mapColumns(names, file);
  // DuckDB may log several errors for one bad line; one issue per line is what the user needs.
  const rejects = (await con.runAndReadAll(`SELECT line, first(error_message ORDER BY column_idx NULLS LAST) FROM reject_errors GROUP BY line ORDER BY line`))
    .getRowsJS()
    .map((r) => ({ line: Number(r[0]), message: String(r[1]) }));

  const { expr: tsExpr, unit } = await timeExpression(con, columns);
  const num = (f: (typeof FIELDS)[number]) => `TRY_CAST(${ident(columns[f])} AS DOUBLE)`;
  await con.run(
    `CREATE TABLE parsed AS SELECT rn, ${tsExpr} AS ts, ${FIELDS.slice(1).map((f) => `${num(f)} AS ${f}`).join(', ')}, ` +
      `${FIELDS.map((f) => `${ident(columns[f])} AS raw_${f}`).join(', ')} FROM raw`,
  );
  const okWhere = FIELDS.map((f) => `${f} IS NOT NULL AND isfinite(${f})`).join(' AND ');
  const issues: DataIssue[] = [];
  const lineOf = lineMapper(rejects.map((r) => r.line));
  for (const r of rejects) issues.push({ severity: 'error', kind: 'unparsed', where: `${file}:${r.line}`, message: `DuckDB could not read this row: ${r.message}` });
  const bad = (await con.runAndReadAll(`SELECT rn, ${FIELDS.map((f) => `${f}, raw_${f}`).join(', ')} FROM parsed WHERE NOT (${okWhere}) ORDER BY rn`)).getRowsJS();
  for (const row of bad) {
    const f = FIELDS.findIndex((_, i) => row[1 + 2 * i] === null || !Number.isFinite(Number(row[1 + 2 * i])));
    const rawValue = row[2 + 2 * f];
    const what = rawValue === null ? `empty ${FIELDS[f]} (column ${columns[FIELDS[f]!]})` : `${FIELDS[f]} "${String(rawValue).slice(0, 40)}" (column ${columns[FIELDS[f]!]}) is not ${f === 0 ? 'a time' : 'a number'}`;
    issues.push({ severity: 'error', kind: 'unparsed', where: `${file}:${lineOf(Number(row[0]))}`, message: `${what}; row not imported` });
  }
  issues.sort((a, b) => Number(a.where.slice(a.where.lastIndexOf(':') + 1)) - Number(b.where.slice(b.where.lastIndexOf(':') + 1)));

  // Stable order: by time, then input order, so duplicates keep their order and readCandleFile keeps the first.
  const good = (await con.runAndReadAll(`SELECT ${FIELDS.join(', ')} FROM parsed WHERE ${okWhere} ORDER BY ts, rn`)).getColumnsJS();
  const inputRows = Number((await con.runAndReadAll(`SELECT count(*) FROM raw`)).getRowsJS()[0]![0]) + rejects.length;
  const n = good[0]?.length ?? 0;
  if (n === 0) throw arenaError(ERR.DATA_IMPORT, file, `no row could be parsed (${issues.length} unparsed rows; first: ${issues[0]?.message ?? 'the file has no data rows'})`);

  const symbol = opts.symbol ?? symbolFromFileName(file);
  mkdirSync(opts.outDir, { recursive: true });
  const outFile = join(opts.outDir, `${symbol.replaceAll('/', '_')}.csv.gz`);
  const lines: string[] = [CANDLE_HEADER];
  const cols = good as number[][];
  for (let i = 0; i < n; i++) lines.push(`${cols[0]![i]},${cols[1]![i]},${cols[2]![i]},${cols[3]![i]},${cols[4]![i]},${cols[5]![i]}`);
  writeFileSync(outFile, gzipSync(lines.join('\n') + '\n'));

  const written = readCandleFile(outFile, { symbol, ...(opts.timeframe ? { timeframe: opts.timeframe } : {}) });
  return {
    outFile,
    symbol,
    timeframe: written.timeframe,
    columns,
    timeUnit: unit,
    inputRows,
    writtenRows: n,
    unparsedRows: issues.length,
    stats: written.stats,
    issues: [...issues, ...written.issues],
  };
}

function mapColumns(names: readonly string[], file: string): Record<(typeof FIELDS)[number], string> {
  const byNorm = new Map<string, string>();
  for (const n of names) if (!byNorm.has(norm(n))) byNorm.set(norm(n), n);
  const out: Partial<Record<(typeof FIELDS)[number], string>> = {};
  const missing: string[] = [];
  for (const f of FIELDS) {
    const alias = ALIASES[f].find((a) => byNorm.has(a));
    if (alias) out[f] = byNorm.get(alias)!;
    else missing.push(`no ${f} column (looked for ${ALIASES[f].join(', ')})`);
  }
  if (missing.length > 0) throw arenaError(ERR.DATA_IMPORT, file, `${missing.join('; ')}; the header has ${names.join(', ')}`);
  return out as Record<(typeof FIELDS)[number], string>;
}

/** Epoch numbers (unit by magnitude: s < 1e11 <= ms < 1e14 <= us < 1e17 <= ns) or date/time text; always ms UTC. */
async function timeExpression(con: DuckDBConnection, columns: Record<string, string>): Promise<{ expr: string; unit: TimeUnit }> {
  const col = ident(columns['ts']!);
  const [nonNull, numeric, median] = (
    await con.runAndReadAll(`SELECT count(${col}), count(TRY_CAST(${col} AS DOUBLE)), median(abs(TRY_CAST(${col} AS DOUBLE))) FROM raw`)
  ).getRowsJS()[0]!.map((v) => (v === null ? NaN : Number(v)));
  if (numeric! > 0 && numeric! >= nonNull! / 2) {
    const m = median!;
    const [unit, factor]: [TimeUnit, number] = m < 1e11 ? ['s', 1000] : m < 1e14 ? ['ms', 1] : m < 1e17 ? ['us', 1e-3] : ['ns', 1e-6];
    return { expr: `CAST(round(TRY_CAST(${col} AS DOUBLE) * ${factor}) AS DOUBLE)`, unit };
  }
  return { expr: `CAST(epoch_ms(TRY_CAST(${col} AS TIMESTAMPTZ)) AS DOUBLE)`, unit: 'text' };
}

/** Maps the n-th record DuckDB kept to its file line: header is line 1, rejected lines are skipped over. */
function lineMapper(rejectedLines: readonly number[]): (rn: number) => number {
  return (rn) => {
    let line = rn + 1;
    for (const r of rejectedLines) if (r <= line) line++;
    return line;
  };
}

