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
  /** path of decisions.jsonl (the audit trail) when the run had a router */
  readonly decisions?: string;
  /** the console summary text (not written; the caller prints it) */
  readonly summary: string;
}

/** Builds the report model once and writes outDir/report.json and outDir/report.html (creating outDir). */
export function writeReports(result: BacktestResult, outDir: string): WrittenReports {
  const model = buildReport(result);
  const files: Record<string, string> = { 'report.json': reportJson(model), 'report.html': renderHtml(model) };
  // the full audit trail, one JSON record per line
  if (result.decisions) files['decisions.jsonl'] = result.decisions.map((d) => JSON.stringify(d)).join('\n') + (result.decisions.length ? '\n' : '');
  const paths = writeReportFiles(outDir, files);
  return { json: paths['report.json']!, html: paths['report.html']!, ...(paths['decisions.jsonl'] ? { decisions: paths['decisions.jsonl'] } : {}), summary: formatSummary(model) };
}
