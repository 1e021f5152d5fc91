/** features.html: one self-contained page (inline CSS and SVG; no script, style sheet, font or network access). */
import { clusterHeatmap, icBarChart, selectionHeatmap } from './charts.ts';
import { type FeatureReportModel, selectionCounts, topByAbsIc } from './model.ts';
import { escapeXml, fixed, groupColor, percent } from './svg.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f6f7f9;margin:0}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:4px 0 8px}
.sub{color:#5b6475;margin:0 0 16px}.note{color:#5b6475;font-size:12px;margin:6px 0}
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:14px 16px;margin:14px 0;overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:3px 10px;border-bottom:1px solid #eceef2;text-align:right}
th{background:#f0f2f5;font-weight:600}th:first-child,td:first-child{text-align:left}
.kv td:last-child{text-align:left}.left td,.left th{text-align:left}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;vertical-align:baseline}
svg.chart{max-width:100%;height:auto;display:block}
svg .title{font-weight:600;font-size:13px;fill:#1d2330}
svg .tick,svg .legend{font-size:11px;fill:#5b6475}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1d2330}
svg .axis{stroke:#9aa3b2}svg .zero{stroke:#5b6475;stroke-dasharray:3 3}
`;

/** A table whose cells are already-escaped HTML (cell() escapes text). */
function table(header: readonly string[] | null, rows: readonly (readonly string[])[], cls = ''): string {
  const head = header === null ? '' : `<thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead>`;
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${v}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}>${head}<tbody>${body}</tbody></table>`;
}

const cell = (s: string): string => escapeXml(s);
const group = (g: string): string => `<span class="swatch" style="background:${groupColor(g)}"></span>${escapeXml(g)}`;

export function renderFeatureReportHtml(model: FeatureReportModel): string {
  const counts = selectionCounts(model);
  const sel = model.selector;
  const ranked = topByAbsIc(model);
  const noData = model.icTable.filter((r) => !Number.isFinite(r.rankIC)).map((r) => r.feature);
  const everSelected = model.icTable.filter((r) => r.selectedShare > 0).length;
  const summary: [string, string][] = [
    ['Data', model.source],
    ['Symbols', model.symbols.join(', ')],
    ['Range', `${model.from.slice(0, 16).replace('T', ' ')} → ${model.to.slice(0, 16).replace('T', ' ')} (${model.bars} ${model.timeframe} bars)`],
    ['Selections', `${model.selections.length} (initial ${counts.initial}, scheduled ${counts.scheduled}, drift ${counts.drift})`],
    ['Features', `${model.catalogue.length} in the catalogue, ${everSelected} selected at least once`],
    [
      'Selector',
      `window ${sel.window} bars, horizon ${sel.horizon}, re-select every ${sel.reselectEvery} bars, top-k ${sel.topK}, clusters ${sel.clusters}` +
        ` (max ${sel.maxClusters}), drift ${sel.drift.test.toUpperCase()} > ${sel.drift.threshold} on the last ${sel.drift.recent} bars`,
    ],
  ];
  const icRows = ranked.map((r) => [
    cell(r.feature),
    group(r.group),
    fixed(r.rankIC, 4),
    fixed(r.icT, 1),
    percent(r.hitRate),
    percent(r.selectedShare),
    String(r.samples),
  ]);
  const selectionRows = model.selections.map((s) => [
    cell(s.ts.slice(0, 16).replace('T', ' ')),
    cell(s.reason),
    cell(s.features.map((f, i) => `${f} ${fixed(s.weights[i], 2)}`).join(', ') || '(none)'),
    String(s.clusters),
    fixed(s.silhouette, 2),
    cell(s.detail),
  ]);
  const catalogueRows = model.catalogue.map((f) => [cell(f.name), group(f.group), String(f.window), cell(f.description)]);
  const map = model.lastClusters;
  const title = `Arena features: ${model.symbols.length} symbols, ${model.timeframe}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${escapeXml(title)}</h1>
<p class="sub">Feature catalogue, dynamic selection and predictive strength · ${escapeXml(model.source)}</p>
<section><h2>Summary</h2>${table(null, summary.map(([k, v]) => [cell(k), cell(v)]), 'kv')}</section>
<section id="selections"><h2>(a) Selected features over time</h2>
${selectionHeatmap(model)}
<p class="note">One column per selection, spanning the bars it stayed in effect; rows are the features kept at least once, most often kept first. Triangles above mark each selection's reason; dashed red lines are drift re-selections. Hover a cell or marker for details.</p>
<details><summary>All ${model.selections.length} selections</summary>${table(['Time', 'Reason', 'Features (weight)', 'k', 'Silhouette', 'Detail'], selectionRows, 'left')}</details>
</section>
<section id="ic"><h2>(b) Predictive strength: rank IC per feature</h2>
${icBarChart(model.icTable)}
<p class="note">Spearman rank correlation of each feature with the forward log return over ${sel.horizon} bars, over the whole range and pooled over assets (descriptive: it looks ahead, unlike the selector). t = |IC| × √(samples / horizon). Hit rate: share of cells where the sign of (feature − its median) matches the return's sign. Selected: share of the selections that kept the feature.${noData.length > 0 ? ` No data for: ${escapeXml(noData.join(', '))}.` : ''}</p>
${table(['Feature', 'Group', 'Rank IC', 't', 'Hit rate', 'Selected', 'Samples'], icRows)}
</section>
<section id="clusters"><h2>(c) Cluster map of the last selection</h2>
${clusterHeatmap(map)}
<p class="note">|Correlation| of the features over the last selection's window, features ordered by the k-means cluster of their correlation profile (black boxes; ${map === null ? 0 : new Set(map.cluster).size} clusters${map !== null && model.selections.length > 0 ? `, silhouette ${fixed(model.selections[model.selections.length - 1]!.silhouette, 2)}` : ''}). Bold red labels with a blue dot: the features this selection kept.${map !== null && map.unscored.length > 0 ? ` Not scored (too few values): ${escapeXml(map.unscored.join(', '))}.` : ''}</p>
</section>
<section id="catalogue"><h2>(d) Feature catalogue</h2>
${table(['Feature', 'Group', 'Window', 'Description'], catalogueRows, 'left')}
</section>
<section><details><summary>Selector settings</summary><pre>${escapeXml(JSON.stringify(model.selector, null, 2))}</pre></details></section>
</main>
</body>
</html>
`;
}
