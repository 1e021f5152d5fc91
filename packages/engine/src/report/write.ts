/** Writes report.json and report.html for a backtest into a folder; fs failures become ARENA_E_REPORT_WRITE naming the path. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arenaError, E } from '@arena/core';
import type { BacktestResult } from '../result.ts';
import { formatSummary } from './console.ts';
import { renderHtml } from './html.ts';
import { reportJson } from './json.ts';
import { buildReport } from './model.ts';

export interface WrittenReports {
  /** path of report.json */
  readonly json: string;
  /** path of report.html */
  readonly html: string;
  /** the console summary text (not written; the caller prints it) */
  readonly summary: string;
}

function writeOrThrow(path: string, text: string): void {
  try {
    writeFileSync(path, text, 'utf8');
  } catch (e) {
    throw arenaError(E.REPORT_WRITE, path, e instanceof Error ? e.message : String(e));
  }
}

/** Builds the report model once and writes outDir/report.json and outDir/report.html (creating outDir). */
export function writeReports(result: BacktestResult, outDir: string): WrittenReports {
  const model = buildReport(result);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw arenaError(E.REPORT_WRITE, outDir, e instanceof Error ? e.message : String(e));
  }
  const json = join(outDir, 'report.json');
  const html = join(outDir, 'report.html');
  writeOrThrow(json, reportJson(model));
  writeOrThrow(html, renderHtml(model));
  return { json, html, summary: formatSummary(model) };
}
