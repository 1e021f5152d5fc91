/** Writes features.json and features.html into a folder (created); fs failures become ARENA_E_REPORT_WRITE naming the path. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E, arenaError } from '@arena/core';
import { renderFeatureReportHtml } from './html.ts';
import { featureReportJson } from './json.ts';
import type { FeatureReportModel } from './model.ts';

export interface WrittenFeatureReport {
  readonly json: string;
  readonly html: string;
}

function writeOrThrow(path: string, text: string): void {
  try {
    writeFileSync(path, text, 'utf8');
  } catch (e) {
    throw arenaError(E.REPORT_WRITE, path, e instanceof Error ? e.message : String(e));
  }
}

export function writeFeatureReport(model: FeatureReportModel, outDir: string): WrittenFeatureReport {
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw arenaError(E.REPORT_WRITE, outDir, e instanceof Error ? e.message : String(e));
  }
  const json = join(outDir, 'features.json');
  const html = join(outDir, 'features.html');
  writeOrThrow(json, featureReportJson(model));
  writeOrThrow(html, renderFeatureReportHtml(model));
  return { json, html };
}
