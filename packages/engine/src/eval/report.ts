/** The evaluation's outputs: a console table, eval.json (deterministic) and eval.html (equity curves + table). */
import { deterministicJson, writeReportFiles } from '@arena/core';
import { boxTable } from '../report/console.ts';
import { lineChart, escapeXml, PALETTE, downsampleMinMax } from '../report/svg.ts';
import type { EvalResult } from './evaluate.ts';
import type { ChainedNetRecord } from './learnedChain.ts';
import type { ChainedRouterRecord } from './routerChain.ts';
import { type FittedRange, type FoldOverlap, describeOverlaps } from './overlap.ts';

export interface EvalMeta {
  readonly source: string;
  readonly timeframe: string;
  readonly symbols: readonly string[];
  readonly router: string;
  /** the committed models the pipeline loaded, with the ranges their cards say they were fitted on */
  readonly fittedModels: readonly FittedRange[];
  /** (model, fold) pairs whose fitted range reaches a fold's test bars (run with --allow-overlap); empty when out of sample */
  readonly overlaps: readonly FoldOverlap[];
  readonly fillAssumptions: string;
  /** eval --train: the learned expert's nets trained per fold, each deciding only after the bars it learned from */
  readonly learnedChain?: readonly ChainedNetRecord[];
  /** eval --train: the routers trained per fold (what the pipeline, and so the contest, stepped with) */
  readonly routerChain?: readonly ChainedRouterRecord[];
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const num = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));
/** a hurdle search's winner deflated for the hurdles tried (nothing for a book that never moved) */
const dsrNote = (d: { readonly dsr: number } | null) => (d === null ? '' : ` (deflated Sharpe ${d.dsr.toFixed(3)})`);

const ROW_HEAD = ['Strategy', 'Total return', 'Sharpe', 'Sortino', 'Max drawdown', 'Turnover', 'In market', 'Fills', 'Halts'];
const rowCells = (row: EvalResult['rows'][number]) => [row.strategy, pct(row.totalReturn), num(row.sharpe), num(row.sortino), pct(row.maxDrawdown), row.turnover.toFixed(1), pct(row.timeInMarket), String(row.nFills), String(row.halts)];
const COMPARISON_HEAD = ['A vs B', 'Sharpe A - B', '90% interval', 'p-value'];
const comparisonCells = (c: EvalResult['comparisons'][number]) => [`${c.a} vs ${c.b}`, num(c.sharpeDiff), `[${num(c.ciLow)}, ${num(c.ciHigh)}]`, c.pValue.toFixed(3)];

export function evalTable(r: EvalResult): string {
  const rows = boxTable(
    `OUT OF SAMPLE ${r.testRange.from.slice(0, 10)} .. ${r.testRange.to.slice(0, 10)} (${r.testRange.bars} bars${r.folds.length > 1 ? `, ${r.folds.length} walk-forward folds` : ''}; after fees and slippage)`,
    ROW_HEAD,
    r.rows.map(rowCells),
  );
  if (r.comparisons.length === 0) return rows;
  const c0 = r.comparisons[0]!;
  const comparisons = boxTable(`SHARPE DIFFERENCES (paired stationary block bootstrap, ${c0.resamples} resamples, mean block ${c0.meanBlock} bars)`, COMPARISON_HEAD, r.comparisons.map(comparisonCells));
  return `${rows}\n${comparisons}`;
}

/** One line on the contest's score model: does its predicted ranking of the agents hold in the next window? */
export function scoreModelLine(r: EvalResult): string | undefined {
  const all = r.contestScoreModel.find((v) => v.fold === -1);
  if (!all || all.windows === 0) return undefined;
  const f = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  const perFold = r.contestScoreModel.length > 2 ? `; per fold ${r.contestScoreModel.filter((v) => v.fold >= 0).map((v) => f(v.meanRankIc)).join(', ')}` : '';
  return `contest score model on the test bars: rank IC of predicted vs next-window Sharpe ${f(all.meanRankIc)} (90% interval [${f(all.ciLow)}, ${f(all.ciHigh)}], ${all.windows} windows, positive in ${((all.positiveShare ?? 0) * 100).toFixed(0)}%)${perFold}`;
}

/** One line on the hurdles the calibrated contest rows chose per fold on their training bars. */
export function hurdleLine(r: EvalResult): string | undefined {
  const hs = r.folds.flatMap((f) => (f.contestHurdle ? [f.contestHurdle] : []));
  if (hs.length === 0) return undefined;
  return `contest hurdle (annualised Sharpe; never: the fallback alone) chosen on each fold's training bars from ${hs[0]!.cash.trainSharpe.map((h) => h.hurdle).join(', ')}: cash fallback ${hs.map((h) => h.cash.chosen).join(', ')}; benchmark fallback ${hs.map((h) => h.benchmark.chosen).join(', ')}`;
}

/** One line on how often contest-benchmark held the benchmark because no agent was predicted to beat it. */
export function benchmarkLine(r: EvalResult): string | undefined {
  if (r.contestOnBenchmark === null) return undefined;
  return `contest-benchmark held the equal-weight benchmark on ${(r.contestOnBenchmark * 100).toFixed(1)}% of the test bars (no agent predicted to beat it by the hurdle, or the score model's choice withheld by its track record)`;
}

/** One line on the router's regime calls against what always answering the most frequent regime scores. */
export function regimeLine(r: EvalResult): string {
  const { hindsight: h, truth, chance } = r.regimeAccuracy;
  const p = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const vsTruth = truth ? `; vs the synthetic truth ${p(truth.accuracy)} (balanced ${p(truth.balancedAccuracy)}, majority ${p(truth.majorityRate)})` : '';
  return `regime accuracy on the test bars (${h.samples} cells): ${p(h.accuracy)} vs hindsight labels, balanced ${p(h.balancedAccuracy)}; always answering the most frequent regime scores ${p(h.majorityRate)} (chance ${p(chance)})${vsTruth}`;
}

/** Buy and hold uses no model; every other row combines the experts (the learned one among them), the router or the contest. */
const usesModels = (strategy: string) => strategy !== 'buy-and-hold';

export function evalJson(meta: EvalMeta, r: EvalResult): string {
  return deterministicJson(
    {
      format: 'arena-eval',
      version: 1,
      ...meta,
      outOfSample: meta.overlaps.length === 0,
      testRange: r.testRange,
      folds: r.folds,
      rows: r.rows.map((row) => ({ ...row, outOfSample: meta.overlaps.length === 0 || !usesModels(row.strategy) })),
      comparisons: r.comparisons,
      regimeAccuracy: r.regimeAccuracy,
      contestScoreModel: r.contestScoreModel,
      contestOnBenchmark: r.contestOnBenchmark,
    },
    10,
  );
}

export function evalHtml(meta: EvalMeta, r: EvalResult): string {
  // the oracle (an upper bound that looks ahead) would flatten every other curve: its figures stay in the table
  const chart = lineChart({
    title: 'Equity on the test bars (the oracle, an upper bound, is in the table only)',
    series: r.curves.flatMap((c, k) => {
      if (c.name === 'oracle') return [];
      const d = downsampleMinMax(c.ts, c.equity);
      return [{ name: c.name, x: d.x, y: d.y, color: PALETTE[k % PALETTE.length]! }];
    }),
    yFormat: (v) => String(Math.round(v)),
  });
  const chain = meta.learnedChain
    ? `<p>Learned expert: ${meta.learnedChain.length === 0 ? 'held at 0 (no fold had the history to train its convnet)' : `convnets retrained per fold (nested; 0 before the first): ${escapeXml(meta.learnedChain.map((n) => `${n.name} decides from ${n.decidesFrom.slice(0, 10)}, learned from ${n.trainedOn.from.slice(0, 10)}..${n.trainedOn.to.slice(0, 10)} (validation rank IC ${n.rankIC.toFixed(3)})`).join('; '))}`}.</p>`
    : '';
  const routers = meta.routerChain
    ? `<p>Routers per fold: ${escapeXml(meta.routerChain.map((r) => `fold ${r.fold + 1} routes from ${r.routesFrom.slice(0, 10)}, learned from ${r.trainedOn.from.slice(0, 10)}..${r.trainedOn.to.slice(0, 10)}`).join('; '))}.</p>`
    : '';
  const htmlTable = (head: readonly string[], rows: readonly string[][]) =>
    `<table><thead><tr>${head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((cells) => `<tr>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const table = htmlTable(ROW_HEAD, r.rows.map(rowCells));
  const c0 = r.comparisons[0];
  const comparisons = c0
    ? `<h2>Sharpe differences</h2><p>Paired stationary block bootstrap over the test bars (${c0.resamples} resamples, mean block ${c0.meanBlock} bars): an interval wholly above 0 says A beat B beyond what the noise of these bars explains.</p>${htmlTable(COMPARISON_HEAD, r.comparisons.map(comparisonCells))}`
    : '';
  const folds = r.folds
    .map((f) => {
      const d = f.staticFitDeflated;
      return `<li>train ${escapeXml(f.trainRange.from.slice(0, 10))}..${escapeXml(f.trainRange.to.slice(0, 10))}, test ${escapeXml(f.testRange.from.slice(0, 10))}..${escapeXml(f.testRange.to.slice(0, 10))}: best expert ${escapeXml(f.bestExpert)} (best of ${f.bestExpertDeflated.trials} alone: deflated Sharpe ${f.bestExpertDeflated.dsr.toFixed(3)}), static fit ${escapeXml(JSON.stringify(f.staticWeights))} (best of ${d.trials}: training Sharpe ${num(d.sharpeAnnual)} against ${num(d.expectedMaxSharpeAnnual)} expected from the best of ${d.trials} skill-less tries; deflated Sharpe ${d.dsr.toFixed(3)})${f.contestHurdle ? `; contest hurdle, cash fallback ${f.contestHurdle.cash.chosen}${dsrNote(f.contestHurdle.cash.deflated)}, benchmark fallback ${f.contestHurdle.benchmark.chosen}${dsrNote(f.contestHurdle.benchmark.deflated)} (training Sharpe by hurdle: ${escapeXml((['cash', 'benchmark'] as const).map((k) => `${k} ${f.contestHurdle![k].trainSharpe.map((h) => `${h.hurdle}: ${num(h.sharpe)}`).join(', ')}`).join('; '))})` : ''}</li>`;
    })
    .join('');
  const warn =
    meta.overlaps.length > 0
      ? `<p style="color:#c23b3b"><b>Not out of sample</b> (run with --allow-overlap): ${escapeXml(describeOverlaps(meta.overlaps))}. Every row but buy and hold uses these models.</p>`
      : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Arena eval</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:24px auto;color:#1d2330}table{border-collapse:collapse}th,td{padding:4px 12px;border-bottom:1px solid #eceef2;text-align:right}th:first-child,td:first-child{text-align:left}svg.chart{max-width:100%;height:auto}svg .title{font-weight:600;font-size:13px}svg .tick,svg .legend{font-size:11px;fill:#5b6475}svg .grid{stroke:#eceef2}svg .axis{stroke:#9aa3b2}</style></head><body>
<h1>Arena eval: router vs alternatives</h1>
<p>${escapeXml(meta.source)} · ${escapeXml(meta.symbols.join(', '))} · ${escapeXml(meta.timeframe)} · test ${escapeXml(r.testRange.from)} → ${escapeXml(r.testRange.to)}</p>
<p>Router: ${escapeXml(meta.router)}</p>${chain}${routers}${warn}
${chart}
${table}
${comparisons}
<p>${escapeXml(regimeLine(r))}.</p>${[scoreModelLine(r), hurdleLine(r), benchmarkLine(r)].map((line) => (line ? `<p>${escapeXml(line)}.</p>` : '')).join('')}
<ul>${folds}</ul>
<p><small>${escapeXml(meta.fillAssumptions)} The oracle looks ahead (best expert over the next label horizon per bar and asset): an upper bound, not a strategy.</small></p>
</body></html>
`;
}

export function writeEval(outDir: string, meta: EvalMeta, r: EvalResult): { json: string; html: string } {
  const paths = writeReportFiles(outDir, { 'eval.json': evalJson(meta, r), 'eval.html': evalHtml(meta, r) });
  return { json: paths['eval.json'], html: paths['eval.html'] };
}
