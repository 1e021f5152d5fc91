/** Writes report.json and report.html for a backtest into a folder; fs failures become ARENA_E_REPORT_WRITE naming the path. */
import { writeReportFiles } from '@arena/core';
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

/** Builds the report model once and writes outDir/report.json and outDir/report.html (creating outDir). */
export function writeReports(result: BacktestResult, outDir: string): WrittenReports {
  const model = buildReport(result);
  const paths = writeReportFiles(outDir, { 'report.json': reportJson(model), 'report.html': renderHtml(model) });
  return { json: paths['report.json'], html: paths['report.html'], summary: formatSummary(model) };
}
