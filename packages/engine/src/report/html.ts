/** One self-contained HTML report: inline CSS and inline SVG plots, no external script, style sheet or font. */
import {
  ASSET_HEADER,
  assetRows,
  BASELINE_HEADER,
  baselineRows,
  EXPERT_HEADER,
  expertRows,
  metricRows,
  money,
  pct,
} from './format.ts';
import { REGIMES } from '@arena/core';
import { type ReportModel, expertNamesOf } from './model.ts';
import { stackedChart } from './stacked.ts';
import { barChart, escapeXml, lineChart, PALETTE } from './svg.ts';

const EXPERT_COLORS = ['#1f5fbf', '#e07b00', '#2e9e5b', '#8a56c2', '#c23b3b'];
const REGIME_COLORS = ['#2e9e5b', '#c23b3b', '#9aa3b2', '#e0b400'];

/** The router section: weights and regimes over time, and the latest decisions with the chart each one saw. */
function routerSection(model: ReportModel): string {
  const r = model.router;
  if (!r) return '';
  const weights = stackedChart({ title: 'Expert weights over time (mean over assets)', x: r.ts, rows: r.weights, bands: expertNamesOf(model), colors: expertNamesOf(model).map((_, e) => EXPERT_COLORS[e] ?? PALETTE[e % PALETTE.length]!) });
  const regimes = stackedChart({ title: 'Regime probabilities over time (mean over assets)', x: r.ts, rows: r.regime, bands: [...REGIMES], colors: REGIME_COLORS, height: 160 });
  const latest = model.decisions?.latest ?? [];
  const fmt = (rec: Readonly<Record<string, number>>) => Object.entries(rec).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ');
  const rows = latest
    .slice()
    .reverse()
    .map((d) => {
      const img = d.png ? `<img alt="chart ${escapeXml(d.symbol)} ${escapeXml(d.ts)}" src="data:image/png;base64,${d.png}" width="192" height="192">` : '';
      const exp = Object.entries(d.exposures).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
      return `<tr><td>${img}</td><td style="text-align:left">${escapeXml(`${d.ts} ${d.symbol}`)}<br>fill ${escapeXml(d.fill.qty.toPrecision(4))} @ ${escapeXml(d.fill.price.toPrecision(6))}<br><b>regime</b> ${escapeXml(fmt(d.regime))}<br><b>weights</b> ${escapeXml(fmt(d.weights))}<br><b>exposures</b> ${escapeXml(exp)} (combined ${d.combined.toFixed(3)})<br><b>attribution</b> ${escapeXml(fmt(d.attribution))}</td></tr>`;
    })
    .join('');
  const count = model.decisions ? ` of ${model.decisions.count} (all in decisions.jsonl)` : '';
  return `<section><h2>Router: ${escapeXml(r.source)}</h2><p class="sub">${escapeXml(r.note)}</p>${weights}${regimes}</section>
<section><h2>Latest decisions${escapeXml(count)}</h2><table><tbody>${rows}</tbody></table></section>`;
}

const AGENT_COLORS = ['#1f5fbf', '#e07b00', '#2e9e5b', '#8a56c2', '#c23b3b', '#0f9aa8', '#b7bdc8', '#eceef2'];

/** The contest section: adopted weights over time (stacked, cash included) and the most-adopted agents. */
function contestSection(model: ReportModel): string {
  const c = model.contest;
  if (!c) return '';
  const chart = stackedChart({ title: `Adopted agents' weights at each window end (${c.benchmarkBars > 0 ? 'the benchmark, equal weights,' : 'cash'} when nobody is adopted)`, x: c.weights.ts, rows: c.weights.rows, bands: c.weights.bands, colors: AGENT_COLORS, height: 200 });
  const rows = c.leaders
    .map((l) => `<tr><td>${escapeXml(l.name)}</td><td>${l.adoptedWindows}</td><td>${(l.meanWeight * 100).toFixed(0)}%</td><td>${l.sharpe === null ? 'n/a' : l.sharpe.toFixed(2)}</td></tr>`)
    .join('');
  const team = c.dataTeam
    ? `<h3>Data team</h3><table><thead><tr><th>Factor (selector variant)</th><th>Chosen</th><th>Mean rank IC</th></tr></thead><tbody>${c.dataTeam.map((d) => `<tr><td>${escapeXml(d.name)}</td><td>${(d.chosenShare * 100).toFixed(0)}%</td><td>${d.meanIc === null ? 'n/a' : d.meanIc.toFixed(3)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return `<section><h2>Contest: ${c.agents} agents, ${c.windows} windows</h2><p class="sub">In cash ${((c.cashBars / Math.max(1, c.bars)) * 100).toFixed(1)}% of bars${c.benchmarkBars > 0 ? `, on the benchmark (equal weights: nobody predicted to beat it, or the choice withheld) ${((c.benchmarkBars / Math.max(1, c.bars)) * 100).toFixed(1)}%` : ''}.${c.withheldWindows === null ? '' : ` The score model's choice was withheld by its track record (its past choices, switching between them paid, had not beaten the fallback) in ${c.withheldWindows} of ${c.windows} windows.`} The full record (proposals, outcomes, scores) is in the ledger: <code>arena contest report</code>.</p>${chart}
<table><thead><tr><th>Agent</th><th>Windows adopted</th><th>Mean weight</th><th>Sharpe (its rewards)</th></tr></thead><tbody>${rows}</tbody></table>${team}</section>`;
}

/** Equity switches to a log axis once the curves span more than this max/min ratio. */
const LOG_EQUITY_RATIO = 3;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f6f7f9;margin:0}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#5b6475;margin:0 0 16px}
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:14px 16px;margin:14px 0;overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:4px 12px;border-bottom:1px solid #eceef2;text-align:right}
th{background:#f0f2f5;font-weight:600}th:first-child,td:first-child{text-align:left}
.kv td:last-child{text-align:left}
.cols{display:flex;gap:16px;flex-wrap:wrap}.cols>section{flex:1 1 auto;min-width:300px}
svg.chart{max-width:100%;height:auto;display:block}
svg .title{font-weight:600;font-size:13px;fill:#1d2330}
svg .tick,svg .legend{font-size:11px;fill:#5b6475}
svg .grid{stroke:#eceef2}svg .axis{stroke:#9aa3b2}svg .zero{stroke:#5b6475;stroke-dasharray:3 3}
pre{white-space:pre-wrap;font-size:12px;background:#f6f7f9;padding:8px}
.assume{border-left:4px solid #e07b00}
`;

function table(header: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  const head = `<tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('');
  return `<table${cls ? ` class="${cls}"` : ''}><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** 1.23M, 45.6k, 789: short axis labels for quote-currency values. */
function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}B`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

function equityChart(model: ReportModel): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of model.curves.equity) {
    for (const v of s.y) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const logY = lo > 0 && hi / lo > LOG_EQUITY_RATIO;
  return lineChart({
    title: `Equity (${logY ? 'log' : 'linear'} scale): ${model.meta.strategy} vs baselines`,
    series: model.curves.equity.map((s, k) => ({ ...s, color: PALETTE[k % PALETTE.length]! })),
    logY,
    yFormat: compact,
  });
}

/** Exits by reason, and on perpetuals funding, liquidations and the margin used over time. */
function executionSection(model: ReportModel): string {
  const x = model.execution;
  const reasons = Object.entries(x.exitsByReason);
  const closed = reasons.reduce((n, [, v]) => n + v, 0);
  const rows = reasons.map(([r, n]) => [r, String(n), closed > 0 ? pct(n / closed, 1) : '-']);
  const exits = barChart({ title: 'Positions closed, by what closed them', labels: reasons.map(([r]) => r), values: reasons.map(([, n]) => n), valueFormat: (v) => String(Math.round(v)) });
  const perp = model.curves.margin !== undefined && model.curves.funding !== undefined;
  const plots = perp
    ? [
        lineChart({ title: 'Margin used (initial margin / equity)', series: [{ ...model.curves.margin!, color: '#7a3fb0', area: true }], yFormat: (v) => pct(v, 0), height: 200 }),
        lineChart({ title: 'Funding, cumulative cash flow (negative: paid)', series: [{ ...model.curves.funding!, color: '#0f8a6a' }], yFormat: compact, height: 200 }),
      ].join('\n')
    : '';
  const perpRows = perp ? [['Funding (net cash flow)', money(x.funding)], ['Liquidations', String(x.liquidations)], ['Peak margin used', pct(x.maxMargin, 1)]] : [];
  return `<section><h2>Exits${perp ? ', funding and margin' : ''}</h2><div class="cols"><div>${exits}</div><div>${table(['Closed by', 'Positions', 'Share'], rows)}${perpRows.length > 0 ? table(['Perpetuals', 'Value'], perpRows, 'kv') : ''}</div></div>${plots}</section>`;
}

/** Renders the report as one HTML document (plots: equity, drawdown, exposure, per-expert and per-asset bars). */
export function renderHtml(model: ReportModel): string {
  const meta = model.meta;
  const dd = model.curves.drawdown;
  const plots = [
    equityChart(model),
    lineChart({
      title: 'Drawdown below running peak',
      series: [{ name: 'drawdown', x: dd.x, y: dd.y.map((v) => -v), color: '#c23b3b', area: true }],
      yFormat: (v) => pct(v, 0),
      height: 220,
    }),
    lineChart({
      title: 'Exposure (fraction of equity)',
      series: [
        { ...model.curves.grossExposure, color: '#1f5fbf' },
        { ...model.curves.netExposure, color: '#e07b00', area: true },
      ],
      yFormat: (v) => pct(v, 0),
      height: 220,
    }),
  ];
  const expertChart = barChart({
    title: 'Per-expert gross signal PnL',
    labels: model.experts.map((e) => e.expert),
    values: model.experts.map((e) => e.pnl),
    valueFormat: money,
  });
  const assetChart = barChart({
    title: 'Per-asset PnL after costs',
    labels: model.assets.map((a) => a.symbol),
    values: model.assets.map((a) => a.pnl),
    valueFormat: money,
  });
  const subtitle = `${meta.source} · ${meta.symbols.join(', ')} · ${meta.timeframe} · ${meta.firstBar ?? '-'} → ${meta.lastBar ?? '-'} · ${meta.bars} bars`;
  const config = JSON.stringify(model.meta.config, null, 2);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arena backtest: ${escapeXml(meta.strategy)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Arena backtest: ${escapeXml(meta.strategy)}</h1>
<p class="sub">${escapeXml(subtitle)}</p>
<section class="assume"><strong>Fill assumptions.</strong> ${escapeXml(meta.fillAssumptions)}</section>
<section>${plots.join('\n')}</section>
<div class="cols">
<section><h2>Summary metrics</h2>${table(['Metric', 'Value'], metricRows(model), 'kv')}</section>
<section><h2>Strategy vs baselines</h2>${table(BASELINE_HEADER, baselineRows(model))}</section>
</div>
${executionSection(model)}
${contestSection(model)}
${routerSection(model)}
<section>${expertChart}${table(EXPERT_HEADER, expertRows(model))}</section>
<section>${assetChart}${table(ASSET_HEADER, assetRows(model))}</section>
<section><details><summary>Config and data issues (${meta.dataIssues.errors} errors, ${meta.dataIssues.warnings} warnings)</summary><pre>${escapeXml(config)}</pre></details></section>
</main>
</body>
</html>
`;
}
