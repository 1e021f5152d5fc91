/** The evaluation's outputs: a console table, eval.json (deterministic) and eval.html (equity curves + table). */
import { deterministicJson, writeReportFiles } from '@arena/core';
import { boxTable } from '../report/console.ts';
import { lineChart, escapeXml, PALETTE, downsampleMinMax } from '../report/svg.ts';
import type { EvalResult } from './evaluate.ts';

export interface EvalMeta {
  readonly source: string;
  readonly timeframe: string;
  readonly symbols: readonly string[];
  readonly router: string;
  /** the committed router's training range, when it overlaps the test range the comparison is not out of sample */
  readonly routerTrainedOn?: { readonly from: string; readonly to: string };
  readonly fillAssumptions: string;
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));

export function evalTable(r: EvalResult): string {
  return boxTable(
    `OUT OF SAMPLE ${r.testRange.from.slice(0, 10)} .. ${r.testRange.to.slice(0, 10)} (${r.testRange.bars} bars${r.folds.length > 1 ? `, ${r.folds.length} walk-forward folds` : ''}; after fees and slippage)`,
    ['Strategy', 'Total return', 'Sharpe', 'Sortino', 'Max drawdown', 'Turnover', 'Fills'],
    r.rows.map((row) => [row.strategy, pct(row.totalReturn), num(row.sharpe), num(row.sortino), pct(row.maxDrawdown), row.turnover.toFixed(1), String(row.nFills)]),
  );
}

export function overlapsTraining(meta: EvalMeta, r: EvalResult): boolean {
  return meta.routerTrainedOn !== undefined && meta.routerTrainedOn.to >= r.testRange.from && meta.routerTrainedOn.from <= r.testRange.to;
}

export function evalJson(meta: EvalMeta, r: EvalResult): string {
  return deterministicJson(
    {
      format: 'arena-eval',
      version: 1,
      ...meta,
      routerOverlapsTest: overlapsTraining(meta, r),
      testRange: r.testRange,
      folds: r.folds,
      rows: r.rows,
      regimeAccuracy: r.regimeAccuracy,
    },
    10,
  );
}

export function evalHtml(meta: EvalMeta, r: EvalResult): string {
  const chart = lineChart({
    title: 'Equity on the test bars',
    series: r.curves.map((c, k) => {
      const d = downsampleMinMax(c.ts, c.equity);
      return { name: c.name, x: d.x, y: d.y, color: PALETTE[k % PALETTE.length]! };
    }),
    yFormat: (v) => String(Math.round(v)),
  });
  const head = ['Strategy', 'Total return', 'Sharpe', 'Sortino', 'Max drawdown', 'Turnover', 'Fills'];
  const rows = r.rows.map((row) => [row.strategy, pct(row.totalReturn), num(row.sharpe), num(row.sortino), pct(row.maxDrawdown), row.turnover.toFixed(1), String(row.nFills)]);
  const table = `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((cells) => `<tr>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const folds = r.folds.map((f) => `<li>train ${escapeXml(f.trainRange.from.slice(0, 10))}..${escapeXml(f.trainRange.to.slice(0, 10))}, test ${escapeXml(f.testRange.from.slice(0, 10))}..${escapeXml(f.testRange.to.slice(0, 10))}: best expert ${escapeXml(f.bestExpert)}, static fit ${escapeXml(JSON.stringify(f.staticWeights))}</li>`).join('');
  const ra = r.regimeAccuracy;
  const warn = overlapsTraining(meta, r) ? `<p style="color:#c23b3b"><b>Warning:</b> the router was trained on ${escapeXml(meta.routerTrainedOn!.from.slice(0, 10))}..${escapeXml(meta.routerTrainedOn!.to.slice(0, 10))}, which overlaps the test range: its row is not out of sample.</p>` : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Arena eval</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:24px auto;color:#1d2330}table{border-collapse:collapse}th,td{padding:4px 12px;border-bottom:1px solid #eceef2;text-align:right}th:first-child,td:first-child{text-align:left}svg.chart{max-width:100%;height:auto}svg .title{font-weight:600;font-size:13px}svg .tick,svg .legend{font-size:11px;fill:#5b6475}svg .grid{stroke:#eceef2}svg .axis{stroke:#9aa3b2}</style></head><body>
<h1>Arena eval: router vs alternatives</h1>
<p>${escapeXml(meta.source)} · ${escapeXml(meta.symbols.join(', '))} · ${escapeXml(meta.timeframe)} · test ${escapeXml(r.testRange.from)} → ${escapeXml(r.testRange.to)}</p>
<p>Router: ${escapeXml(meta.router)}</p>${warn}
${chart}
${table}
<p>Regime accuracy on the test bars (${ra.samples} labelled cells): vs hindsight labels ${pct(ra.hindsight)}${ra.truth !== null ? `, vs the synthetic truth ${pct(ra.truth)}` : ''}; chance ${pct(ra.chance)}.</p>
<ul>${folds}</ul>
<p><small>${escapeXml(meta.fillAssumptions)} The oracle looks ahead (best expert over the next label horizon per bar and asset): an upper bound, not a strategy.</small></p>
</body></html>
`;
}

export function writeEval(outDir: string, meta: EvalMeta, r: EvalResult): { json: string; html: string } {
  const paths = writeReportFiles(outDir, { 'eval.json': evalJson(meta, r), 'eval.html': evalHtml(meta, r) });
  return { json: paths['eval.json'], html: paths['eval.html'] };
}
