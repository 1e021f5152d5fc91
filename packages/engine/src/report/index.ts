/** Backtest reports: the report model, its deterministic JSON, the console summary, the self-contained HTML, and writing them. */
export { buildReport, canonicalJson } from './model.ts';
export type { AssetShare, CurveSeries, ExpertShare, JsonValue, ReportMeta, ReportModel } from './model.ts';
export { reportJson, jsonNumber, JSON_SIGNIFICANT_DIGITS } from './json.ts';
export { formatSummary, boxTable } from './console.ts';
export { renderHtml } from './html.ts';
export { downsampleMinMax, MAX_PLOT_POINTS } from './svg.ts';
export { writeReports } from './write.ts';
export type { WrittenReports } from './write.ts';
