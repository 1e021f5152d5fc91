/** The feature report (`arena features report`): model, features.json, features.html. */
export * from './model.ts';
export { featureReportJson } from './json.ts';
export { renderFeatureReportHtml } from './html.ts';
export { clusterHeatmap, icBarChart, selectionHeatmap } from './charts.ts';
export { writeFeatureReport } from './write.ts';
export type { WrittenFeatureReport } from './write.ts';
