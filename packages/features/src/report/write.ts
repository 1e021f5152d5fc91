/** Writes features.json and features.html into a folder (created); fs failures become ARENA_E_REPORT_WRITE naming the path. */
import { writeReportFiles } from '@arena/core';
import { renderFeatureReportHtml } from './html.ts';
import { featureReportJson } from './json.ts';
import type { FeatureReportModel } from './model.ts';

export interface WrittenFeatureReport {
  readonly json: string;
  readonly html: string;
}

export function writeFeatureReport(model: FeatureReportModel, outDir: string): WrittenFeatureReport {
  const paths = writeReportFiles(outDir, { 'features.json': featureReportJson(model), 'features.html': renderFeatureReportHtml(model) });
  return { json: paths['features.json'], html: paths['features.html'] };
}
