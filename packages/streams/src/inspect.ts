/** `arena data inspect DIR`: one line of data-quality figures per candle file, then the first issues of each. */
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { ERR, TIMEFRAMES, arenaError, isArenaError } from '@arena/core';
import type { DataIssue, Timeframe } from '@arena/core';
import { readCandleFile } from './csv.ts';
import { isDir, listCandleFiles } from './loadDataset.ts';

export interface FileInspection {
  /** Relative to the inspected folder. */
  readonly path: string;
  readonly symbol: string;
  readonly timeframe: Timeframe | undefined;
  readonly first: string | undefined;
  readonly last: string | undefined;
  readonly rows: number;
  readonly gaps: number;
  readonly missingBars: number;
  readonly duplicates: number;
  readonly badRows: number;
  readonly warnings: number;
  /** The first issues, errors before warnings (an error matters more than the hundredth gap). */
  readonly issues: DataIssue[];
  /** Set when the file could not be read at all (bad header, no inferable timeframe). */
  readonly error: string | undefined;
}

const FIRST_ISSUES = 5;

/** Candle files and CSVs with a foreign header (shown as unreadable rows, so no bad file goes unseen). */
function candleFilesUnder(dir: string, out: string[]): void {
  const foreign: DataIssue[] = [];
  for (const ref of listCandleFiles(dir, foreign)) out.push(ref.path);
  for (const f of foreign) out.push(f.where.replace(/:1$/, ''));
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (isDir(p)) candleFilesUnder(p, out);
  }
}

export function inspectDir(dir: string): FileInspection[] {
  if (!isDir(dir)) throw arenaError(ERR.DATA_DIR_MISSING, dir);
  const paths: string[] = [];
  candleFilesUnder(dir, paths);
  if (paths.length === 0) throw arenaError(ERR.DATA_NO_FILES, dir);
  return paths.map((path) => inspectFile(path, relative(dir, path)));
}

function inspectFile(path: string, rel: string): FileInspection {
  try {
    const folderTf = TIMEFRAMES.find((tf) => basename(dirname(path)) === tf);
    const f = readCandleFile(path, folderTf ? { timeframe: folderTf } : {});
    const s = f.stats;
    const errors = f.issues.filter((i) => i.severity === 'error');
    // the first issues shown: errors, then warnings of the rarest kinds first (CL's one negative close before its
    // hundreds of gaps and opens outside the range), each kind in file order
    const all = f.issues.filter((i) => i.severity === 'warning');
    const perKind = new Map<string, number>();
    for (const i of all) perKind.set(i.kind, (perKind.get(i.kind) ?? 0) + 1);
    const warnings = all.map((i, k) => [i, k] as const).sort(([a, ka], [b, kb]) => perKind.get(a.kind)! - perKind.get(b.kind)! || ka - kb).map(([i]) => i);
    return {
      path: rel,
      symbol: f.symbol,
      timeframe: f.timeframe,
      first: s.firstTs === undefined ? undefined : new Date(s.firstTs).toISOString(),
      last: s.lastTs === undefined ? undefined : new Date(s.lastTs).toISOString(),
      rows: s.rows,
      gaps: s.gaps,
      missingBars: s.missingBars,
      duplicates: s.duplicates,
      badRows: s.badRows,
      warnings: s.warnings,
      issues: [...errors.slice(0, FIRST_ISSUES), ...warnings.slice(0, Math.max(0, FIRST_ISSUES - errors.length))],
      error: undefined,
    };
  } catch (e) {
    if (!isArenaError(e)) throw e;
    return { path: rel, symbol: '', timeframe: undefined, first: undefined, last: undefined, rows: 0, gaps: 0, missingBars: 0, duplicates: 0, badRows: 0, warnings: 0, issues: [], error: e.message };
  }
}

/** `2025-01-01 05:00`, or just the date when every time in the table is a midnight (daily files). */
function timeFormatter(rows: readonly FileInspection[]): (isoText: string | undefined) => string {
  const dateOnly = rows.every((r) => [r.first, r.last].every((t) => t === undefined || t.endsWith('T00:00:00.000Z')));
  return (t) => (t === undefined ? '-' : dateOnly ? t.slice(0, 10) : `${t.slice(0, 10)} ${t.slice(11, 16)}`);
}

/** An aligned plain-text table (numbers right-aligned), then up to five issues per file with file:line. */
export function formatInspection(rows: readonly FileInspection[]): string {
  const head = ['file', 'symbol', 'tf', 'first', 'last', 'rows', 'bad', 'dups', 'gaps', 'missing', 'warnings'];
  const day = timeFormatter(rows);
  const numeric = [false, false, false, false, false, true, true, true, true, true, true];
  const body = rows.map((r) =>
    r.error
      ? [r.path, '-', '-', '-', '-', '-', '-', '-', '-', '-', '-']
      : [r.path, r.symbol, r.timeframe ?? '-', day(r.first), day(r.last), String(r.rows), String(r.badRows), String(r.duplicates), String(r.gaps), String(r.missingBars), String(r.warnings)],
  );
  const width = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: string[]) => cells.map((x, c) => (numeric[c] ? x.padStart(width[c]!) : x.padEnd(width[c]!))).join('  ').trimEnd();
  const out = [line(head), line(width.map((w) => '-'.repeat(w))), ...body.map(line)];
  const notes = rows.filter((r) => r.error || r.issues.length > 0);
  if (notes.length > 0) out.push('');
  for (const r of notes) {
    if (r.error) {
      out.push(`${r.path}: ${r.error}`);
      continue;
    }
    const more = r.badRows + r.warnings - r.issues.length;
    out.push(`${r.path}: ${r.badRows} bad rows, ${r.warnings} warnings${more > 0 ? ` (${r.issues.length} shown: errors, then the rarest kinds of warning)` : ''}`);
    for (const i of r.issues) out.push(`  ${i.severity === 'error' ? 'ERROR' : 'warn '} ${i.where}  ${i.kind}: ${i.message}`);
  }
  return out.join('\n');
}
