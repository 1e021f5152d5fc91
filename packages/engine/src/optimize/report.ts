/** What `arena optimize` prints and writes: the folds table, the values as a config snippet, optimize.json and optimize.html. */
import { deterministicJson, writeReportFiles } from '@arena/core';
import type { ParamValue } from '@arena/experts';
import { boxTable } from '../report/console.ts';
import { PALETTE, escapeXml, lineChart, niceTicks } from '../report/svg.ts';
import { type SearchDim, setParam } from './space.ts';
import type { OptimizeResult } from './study.ts';

const f2 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(2));

export function optimizeTable(r: OptimizeResult): string {
  const rows = r.folds.map((f) => [
    String(f.fold + 1),
    `${f.inSample.from.slice(0, 10)}..${f.inSample.to.slice(0, 10)}`,
    `${f.outOfSample.from.slice(0, 10)}..${f.outOfSample.to.slice(0, 10)}`,
    `#${f.best.trial} of ${f.feasible}`,
    f2(f.best.inSample),
    f2(f.best.outOfSample),
    f2(f.defaultOutOfSample),
    f.deflated ? f.deflated.dsr.toFixed(3) : 'n/a',
  ]);
  const c = r.walkForward.comparison;
  return [
    boxTable(`WALK-FORWARD OPTIMISATION (${r.objective}, ${r.sampler}; ${r.dims.length} parameters)`, ['Fold', 'In sample', 'Out of sample', 'Best trial', `IS ${r.objective}`, `OOS ${r.objective}`, 'OOS configured', 'Deflated Sharpe'], rows),
    `walk-forward out of sample (${c.bars} bars): tuned minus configured Sharpe ${f2(c.sharpeDiff)} (90% interval [${f2(c.ciLow)}, ${f2(c.ciHigh)}], p ${c.pValue.toFixed(3)})`,
  ].join('\n');
}

/** The recommended values (the latest fold's winner) as a config snippet. */
export function configSnippet(params: Readonly<Record<string, ParamValue>>): string {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(params)) setParam(out, key, v);
  return JSON.stringify(out, null, 2);
}

interface Point {
  readonly x: number;
  readonly y: number;
  readonly color: string;
}

/** A scatter plot with linear axes (a log x axis for log-scaled dimensions). */
function scatter(title: string, xLabel: string, yLabel: string, points: readonly Point[], o: { logX?: boolean; diagonal?: boolean; width?: number; height?: number } = {}): string {
  const W = o.width ?? 300;
  const H = o.height ?? 220;
  const m = { l: 48, r: 10, t: 28, b: 34 };
  const ok = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.logX || p.x > 0));
  if (ok.length === 0) return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><text class="title" x="${m.l}" y="18">${escapeXml(title)}: no feasible trial</text></svg>`;
  const tx = (v: number) => (o.logX ? Math.log(v) : v);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of ok) [x0, x1, y0, y1] = [Math.min(x0, tx(p.x)), Math.max(x1, tx(p.x)), Math.min(y0, p.y), Math.max(y1, p.y)];
  if (o.diagonal) [x0, x1, y0, y1] = [Math.min(x0, y0), Math.max(x1, y1), Math.min(x0, y0), Math.max(x1, y1)];
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x1 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
  const px = (v: number) => m.l + ((tx(v) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const pxRaw = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const yt = niceTicks(y0, y1, 4);
  const xt = o.logX ? niceTicks(Math.exp(x0), Math.exp(x1), 4).filter((v) => v > 0) : niceTicks(x0, x1, 4);
  const fmt = (v: number) => String(Number(v.toPrecision(3)));
  const parts = [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img"><text class="title" x="${m.l}" y="16">${escapeXml(title)}</text>`,
    ...yt.map((v) => `<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}"/><text class="tick" x="${m.l - 4}" y="${(py(v) + 3).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`),
    ...xt.map((v) => `<text class="tick" x="${px(v).toFixed(1)}" y="${H - m.b + 14}" text-anchor="middle">${fmt(v)}</text>`),
    `<text class="tick" x="${(W + m.l) / 2}" y="${H - 4}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text class="tick" x="12" y="${(H - m.b + m.t) / 2}" transform="rotate(-90 12 ${(H - m.b + m.t) / 2})" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    o.diagonal ? `<line class="axis" stroke-dasharray="4 3" x1="${pxRaw(x0).toFixed(1)}" y1="${py(x0).toFixed(1)}" x2="${pxRaw(x1).toFixed(1)}" y2="${py(x1).toFixed(1)}"/>` : '',
    ...ok.map((p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="2.6" fill="${p.color}" fill-opacity="0.7"/>`),
    '</svg>',
  ];
  return parts.join('');
}

export function optimizeHtml(meta: { source: string; symbols: readonly string[]; timeframe: string }, r: OptimizeResult): string {
  const color = (fold: number) => PALETTE[fold % PALETTE.length]!;
  const perDim = r.dims
    .map((d: SearchDim) => {
      const pts = r.trials.filter((t) => Number.isFinite(t.value)).map((t) => ({ x: d.kind === 'choice' ? d.choices!.indexOf(t.params[d.key]!) : Number(t.params[d.key]), y: t.value, color: color(t.fold) }));
      return scatter(d.key.replace(/^experts\.(custom\.)?/, ''), d.kind === 'choice' ? `${d.choices!.join(' / ')} (index)` : `${d.min}..${d.max}${d.log ? ' (log)' : ''}`, `IS ${r.objective}`, pts, { logX: d.log });
    })
    .join('');
  const isOos = scatter(
    `In sample vs out of sample (top ${r.folds[0]?.scatter.length ?? 0} per fold)`,
    `in-sample ${r.objective}`,
    `out-of-sample ${r.objective}`,
    r.folds.flatMap((f) => f.scatter.map((s) => ({ x: s.inSample, y: s.outOfSample, color: color(f.fold) }))),
    { diagonal: true, width: 420, height: 320 },
  );
  const wf = r.walkForward;
  const equity = lineChart({
    title: 'Walk-forward out of sample: each block traded with the values its fold chose (growth of 1)',
    series: [
      { name: 'tuned', x: wf.ts, y: wf.tuned, color: PALETTE[0]! },
      { name: 'configured values', x: wf.ts, y: wf.configured, color: PALETTE[7]! },
    ],
  });
  const legend = r.folds.map((f) => `<span style="color:${color(f.fold)}">● fold ${f.fold + 1}</span>`).join(' ');
  const table = `<table><thead><tr><th>Fold</th><th>In sample</th><th>Out of sample</th><th>Best trial</th><th>IS</th><th>OOS</th><th>OOS configured</th><th>Deflated Sharpe</th></tr></thead><tbody>${r.folds
    .map((f) => `<tr><td>${f.fold + 1}</td><td>${f.inSample.from.slice(0, 10)}..${f.inSample.to.slice(0, 10)}</td><td>${f.outOfSample.from.slice(0, 10)}..${f.outOfSample.to.slice(0, 10)}</td><td>#${f.best.trial} of ${f.feasible}</td><td>${f2(f.best.inSample)}</td><td>${f2(f.best.outOfSample)}</td><td>${f2(f.defaultOutOfSample)}</td><td>${f.deflated ? f.deflated.dsr.toFixed(3) : 'n/a'}</td></tr>`)
    .join('')}</tbody></table>`;
  const c = wf.comparison;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Arena optimize</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:24px auto;color:#1d2330}table{border-collapse:collapse}th,td{padding:4px 12px;border-bottom:1px solid #eceef2;text-align:right}th:first-child,td:first-child{text-align:left}svg.chart{max-width:100%;height:auto}svg .title{font-weight:600;font-size:12px}svg .tick,svg .legend{font-size:10px;fill:#5b6475}svg .grid{stroke:#eceef2}svg .axis{stroke:#9aa3b2}.grid3{display:flex;flex-wrap:wrap;gap:8px}pre{background:#f5f6f8;padding:8px}</style></head><body>
<h1>Arena optimize: study ${escapeXml(r.study)}</h1>
<p>${escapeXml(meta.source)} · ${escapeXml(meta.symbols.join(', '))} · ${escapeXml(meta.timeframe)} · objective ${r.objective} · sampler ${r.sampler} · ${r.trials.length} trials over ${r.folds.length} folds (${r.trialsRun} run now, ${r.resumedTrials} resumed) · ${r.workers} workers, ${r.trialsPerSec.toFixed(1)} trials/s</p>
${table}
<p>Walk-forward out of sample (${c.bars} bars): tuned minus configured Sharpe <b>${f2(c.sharpeDiff)}</b>, 90% interval [${f2(c.ciLow)}, ${f2(c.ciHigh)}] (paired stationary block bootstrap), p ${c.pValue.toFixed(3)}. The deflated Sharpe is P(true Sharpe &gt; 0) of each fold's winner given how many trials it was the best of (above 0.95: significant).</p>
${equity}
<h2>In sample vs out of sample</h2><p>Points below the dashed diagonal did worse out of sample than in sample: the usual sign of a search fitting noise. ${legend}</p>
${isOos}
<h2>Each parameter against the in-sample objective</h2><p>${legend}</p>
<div class="grid3">${perDim}</div>
<h2>Recommended values (the latest fold's winner)</h2>
<pre>${escapeXml(configSnippet(r.recommended))}</pre>
</body></html>
`;
}

export function writeOptimize(outDir: string, meta: { source: string; symbols: readonly string[]; timeframe: string }, r: OptimizeResult): { json: string; html: string } {
  const json = deterministicJson({
    format: 'arena-optimize',
    version: 1,
    ...meta,
    study: r.study,
    objective: r.objective,
    sampler: r.sampler,
    dims: r.dims,
    defaults: r.defaults,
    folds: r.folds,
    walkForward: { bars: r.walkForward.ts.length, comparison: r.walkForward.comparison, finalTuned: r.walkForward.tuned.at(-1) ?? 1, finalConfigured: r.walkForward.configured.at(-1) ?? 1 },
    recommended: r.recommended,
    trials: r.trials.map((t) => ({ fold: t.fold, trial: t.trial, params: t.params, value: Number.isFinite(t.value) ? t.value : null, ...(t.result.note ? { note: t.result.note } : {}) })),
    trialsRun: r.trialsRun,
    resumedTrials: r.resumedTrials,
    seconds: r.seconds,
    trialsPerSec: r.trialsPerSec,
    workers: r.workers,
  }, 8);
  const paths = writeReportFiles(outDir, { 'optimize.json': json, 'optimize.html': optimizeHtml(meta, r) });
  return { json: paths['optimize.json'], html: paths['optimize.html'] };
}
