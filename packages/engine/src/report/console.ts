/** Console summary of a backtest, in the spirit of freqtrade's backtesting output: titled box tables with computed widths. */
import type { ContestSummary } from '../contest/summary.ts';
import {
  ASSET_HEADER,
  assetRows,
  BASELINE_HEADER,
  baselineRows,
  EXPERT_HEADER,
  expertRows,
  metricRows,
} from './format.ts';
import { REGIMES } from '@arena/core';
import { type ReportModel, expertNamesOf } from './model.ts';

/** Display width of a string: code points (every cell here is ASCII or single-width). */
function width(s: string): number {
  return [...s].length;
}

function padCell(s: string, w: number, right: boolean): string {
  const gap = ' '.repeat(Math.max(0, w - width(s)));
  return right ? gap + s : s + gap;
}

/**
 * A box table with a centred title: heavy header rule, light body. The first column is left-aligned, the others
 * right-aligned unless leftAll is set.
 */
export function boxTable(title: string, header: readonly string[], rows: readonly (readonly string[])[], leftAll = false): string {
  const widths = header.map((h, j) => Math.max(width(h), ...rows.map((r) => width(r[j] ?? ''))));
  const line = (l: string, fill: string, mid: string, r: string): string => l + widths.map((w) => fill.repeat(w + 2)).join(mid) + r;
  const row = (cells: readonly string[], bar: string): string =>
    bar + widths.map((w, j) => ` ${padCell(cells[j] ?? '', w, j > 0 && !leftAll)} `).join(bar) + bar;
  const total = widths.reduce((a, w) => a + w + 3, 1);
  const lead = Math.max(0, Math.floor((total - width(title)) / 2));
  const out = [
    ' '.repeat(lead) + title,
    line('┏', '━', '┳', '┓'),
    row(header, '┃'),
    line('┡', '━', '╇', '┩'),
    ...rows.map((r) => row(r, '│')),
    line('└', '─', '┴', '┘'),
  ];
  return out.join('\n');
}

/** The console summary: SUMMARY METRICS, the strategy-vs-baselines table, per-asset and per-expert attribution, fill assumptions. */
export function formatSummary(model: ReportModel): string {
  const parts = [
    boxTable('SUMMARY METRICS', ['Metric', 'Value'], metricRows(model), true),
    boxTable('STRATEGY VS BASELINES', BASELINE_HEADER, baselineRows(model)),
  ];
  if (model.assets.length > 0) parts.push(boxTable('PER-ASSET PNL (after costs)', ASSET_HEADER, assetRows(model)));
  if (model.experts.length > 0) parts.push(boxTable('PER-EXPERT ATTRIBUTION (gross signal)', EXPERT_HEADER, expertRows(model)));
  parts.push(`Source: ${model.meta.source} | symbols: ${model.meta.symbols.join(', ')} | timeframe: ${model.meta.timeframe}`);
  if (model.router) {
    const r = model.router;
    const w = expertNamesOf(model).map((n, e) => `${n} ${((r.meanWeights[e] ?? 0) * 100).toFixed(1)}%`).join(', ');
    const g = REGIMES.map((n, k) => `${n} ${((r.meanRegime[k] ?? 0) * 100).toFixed(1)}%`).join(', ');
    parts.push(`Router (${r.source}): ${r.note}\n  mean weights: ${w}\n  mean regime probabilities: ${g}${r.fellBack ? `\n  ${r.fellBack} cells fell back to the local router` : ''}`);
  }
  if (model.contest) parts.push(contestLines(model.contest));
  parts.push(executionLine(model));
  if (model.decisions) parts.push(`Audit trail: ${model.decisions.count} decisions (decisions.jsonl beside the report)`);
  parts.push(`Compute: experts on ${model.meta.compute.experts} (backend ${model.meta.compute.backend}); ${model.meta.compute.note}`);
  parts.push(`Fill assumptions: ${model.meta.fillAssumptions}`);
  return `${parts.join('\n\n')}\n`;
}

/** Exits by reason; on perpetuals funding, liquidations and the peak margin. */
export function executionLine(model: ReportModel): string {
  const x = model.execution;
  const exits = Object.entries(x.exitsByReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
  const perp = model.curves.margin !== undefined ? `; funding ${x.funding >= 0 ? '+' : ''}${x.funding.toFixed(2)}, liquidations ${x.liquidations}, peak margin ${(x.maxMargin * 100).toFixed(1)}% of equity` : '';
  return `Positions closed by: ${exits || 'none closed'}${perp}`;
}

/** The contest's lines in the console summary. */
export function contestLines(c: ContestSummary): string {
  const leaders = c.leaders.filter((l) => l.adoptedWindows > 0).slice(0, 5);
  const lines = [
    `Contest: ${c.agents} agents, ${c.windows} windows; in cash ${((c.cashBars / Math.max(1, c.bars)) * 100).toFixed(1)}% of bars${c.benchmarkBars > 0 ? `, on the benchmark ${((c.benchmarkBars / Math.max(1, c.bars)) * 100).toFixed(1)}%` : ''}${c.withheldWindows === null ? '' : `; the score model's choice withheld by its track record in ${c.withheldWindows} of ${c.windows} windows`}`,
    ...(leaders.length > 0
      ? leaders.map((l) => `  ${l.name}: adopted ${l.adoptedWindows} windows, mean weight ${(l.meanWeight * 100).toFixed(0)}%, Sharpe ${l.sharpe === null ? 'n/a' : l.sharpe.toFixed(2)}`)
      : ['  no agent was adopted: none was predicted to clear the hurdle (contest.minSharpe)']),
    ...(c.dataTeam ? [`  data team: ${c.dataTeam.map((d) => `${d.name} chosen ${(d.chosenShare * 100).toFixed(0)}% (mean IC ${d.meanIc === null ? 'n/a' : d.meanIc.toFixed(3)})`).join('; ')}`] : []),
  ];
  return lines.join('\n');
}
