/**
 * docs/research.md and bench/results/research.json: `arena eval` (the committed learned expert and router, the
 * contest, every baseline; 10 bps fee + the default slippage; cost-aware execution for every row) on every data
 * set of ../shared/data and on the synthetic market with 5 seeds. Each real set's test bars start after the
 * committed models' training range plus the label horizon (eval's leak check refuses anything else). The synthetic
 * seeds, US ETFs and the two crypto sets also run walk-forward with the convnet and the router retrained on each
 * fold's past, nested (`--walk-forward 3 --train`), so every fold stays out of sample.
 *   npm run research            (needs ../shared/data or ARENA_DATA_DIR; about 40 minutes on 2 cores)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Timeframe, sharedDataDir, timeframeMs } from '@arena/core';
import { loadDataset } from '@arena/streams';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEST_FRACTION = 0.3;
/** bars between the end of a model's training range and the first test bar (its label horizon, and one more) */
const EMBARGO_BARS = 25;

interface Row {
  strategy: string;
  sharpe: number | null;
  totalReturn: number;
  turnover: number;
  timeInMarket: number;
  maxDrawdown: number;
}
interface Comparison {
  a: string;
  b: string;
  sharpeDiff: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
}
interface EvalFile {
  testRange: { from: string; to: string; bars: number };
  rows: Row[];
  comparisons: Comparison[];
  symbols: string[];
  outOfSample: boolean;
  regimeAccuracy: { hindsight: { accuracy: number | null; majorityRate: number | null; balancedAccuracy: number | null } };
  folds: { contestHurdle?: { chosen: number } }[];
  contestScoreModel: { fold: number; windows: number; meanRankIc: number | null; ciLow: number | null; ciHigh: number | null }[];
}
interface DataSet {
  readonly name: string;
  readonly real: boolean;
  /** walk-forward (3 folds over the second half) with the convnet and the router retrained per fold, instead of one split with the committed models */
  readonly retrained: boolean;
  readonly args: string[];
  /** the folder and timeframe, to place the test bars after the committed models' range */
  readonly files?: { readonly dir: string; readonly timeframe: Timeframe };
}

const root = sharedDataDir();
if (root === undefined) throw new Error('needs the full data set: ../shared/data or ARENA_DATA_DIR');
const real = (name: string, dir: string, timeframe: Timeframe): DataSet => ({ name, real: true, retrained: false, args: ['--data', join(root, dir), '--timeframe', timeframe], files: { dir: join(root, dir, timeframe), timeframe } });
const synthetic = (seed: number): DataSet => ({ name: `synthetic seed ${seed}`, real: false, retrained: false, args: ['--synthetic', '--seed', String(seed)] });
/** the same set, walk-forward with the convnet and the router retrained on each fold's past */
const retrained = (set: DataSet): DataSet => ({ ...set, name: `${set.name}, retrained`, retrained: true, args: [...set.args, '--walk-forward', String(RETRAIN_FOLDS), '--train'] });
const RETRAIN_FOLDS = 3;
const futures = real('US futures 1d', 'futures/us', '1d');
const etfs = real('US ETFs 1d', 'etfs/us', '1d');
const seeds = [1, 2, 3, 4, 5].map(synthetic);
const spot = real('crypto spot 1h', 'crypto/binance/spot', '1h');
const perp = real('crypto perp 1h (funding)', 'crypto/binance/perp', '1h');
const SETS: DataSet[] = [
  spot,
  perp,
  real('US stocks 1d', 'stocks/us', '1d'),
  futures,
  etfs,
  ...seeds,
  retrained(spot),
  retrained(perp),
  retrained(etfs),
  ...seeds.map(retrained),
];

const card = (kind: string) => JSON.parse(readFileSync(join(ROOT, 'models', kind, 'default', 'card.json'), 'utf8')) as { data: { from: string; to: string } };
const fittedFrom = Math.min(...['convnet', 'router'].map((k) => Date.parse(card(k).data.from)));
const fittedTo = Math.max(...['convnet', 'router'].map((k) => Date.parse(card(k).data.to)));

/** The test fraction: 0.3, or less where the last 30% would reach back into the models' range (plus the embargo). */
function testFraction(set: DataSet): number {
  if (!set.files) return TEST_FRACTION;
  const ts = loadDataset(set.files).panel.ts;
  const cutoff = fittedTo + EMBARGO_BARS * timeframeMs(set.files.timeframe);
  // a set that ends before the models' range starts is out of sample in time as a whole
  if (ts[ts.length - 1]! < fittedFrom) return TEST_FRACTION;
  let after = 0;
  for (let t = ts.length - 1; t >= 0 && ts[t]! > cutoff; t--) after++;
  return Math.min(TEST_FRACTION, Math.floor((after / ts.length) * 1000) / 1000);
}

function runEval(set: DataSet, out: string): EvalFile {
  const split = set.retrained ? [] : ['--test-fraction', String(testFraction(set))];
  const args = ['--import', 'tsx', join(ROOT, 'apps/trader/src/main.ts'), 'eval', ...set.args, '--fee-bps', '10', ...split, '--out', out];
  const t0 = performance.now();
  process.stderr.write(`${set.name}: arena ${args.slice(3).join(' ')}\n`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ARENA_PROGRESS: '0' }, timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`${set.name}: arena eval exited ${r.status}\n${r.stderr}`);
  process.stderr.write(`${set.name}: ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as EvalFile;
}

const fmt = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${(v * 100).toFixed(0)}%`);
const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

const results = SETS.map((set) => ({ set, ev: runEval(set, join(ROOT, 'out/research', set.name.replace(/[^a-z0-9]+/gi, '-'))) }));
const row = (ev: EvalFile, s: string) => ev.rows.find((r) => r.strategy === s)!;
const cmp = (ev: EvalFile, a: string, b: string) => ev.comparisons.find((c) => c.a === a && c.b === b)!;
const lines = results.map(({ set, ev }) => {
  const re = cmp(ev, 'router', 'equal-weight');
  const ce = cmp(ev, 'contest', 'equal-weight');
  return {
    dataset: set.name,
    real: set.real,
    retrained: set.retrained,
    assets: ev.symbols.length,
    test: `${ev.testRange.from.slice(0, 10)}..${ev.testRange.to.slice(0, 10)}`,
    bars: ev.testRange.bars,
    outOfSample: ev.outOfSample,
    sharpe: Object.fromEntries(['router', 'equal-weight', 'static-fit', 'best-expert-in-sample', 'contest', 'contest-calibrated', 'buy-and-hold'].map((s) => [s, row(ev, s).sharpe])),
    routerMinusEqual: re,
    contestMinusEqual: ce,
    contestInMarket: row(ev, 'contest').timeInMarket,
    calibratedMinusEqual: cmp(ev, 'contest-calibrated', 'equal-weight'),
    calibratedInMarket: row(ev, 'contest-calibrated').timeInMarket,
    calibratedHurdle: ev.folds.map((f) => f.contestHurdle?.chosen ?? null),
    equalTurnover: row(ev, 'equal-weight').turnover,
    routerTurnover: row(ev, 'router').turnover,
    regime: ev.regimeAccuracy.hindsight,
    scoreModel: ev.contestScoreModel.find((v) => v.fold === -1) ?? null,
  };
});
const realLines = lines.filter((l) => l.real && !l.retrained);
const synthLines = lines.filter((l) => !l.real && !l.retrained);
const realRetrained = lines.filter((l) => l.real && l.retrained);
const synthRetrained = lines.filter((l) => !l.real && l.retrained);
const summary = {
  routerMinusEqualMeanReal: mean(realLines.map((l) => l.routerMinusEqual.sharpeDiff)),
  realSetsWithCiBelowZero: realLines.filter((l) => l.routerMinusEqual.ciHigh < 0).map((l) => l.dataset),
  realSetsWithCiAboveZero: realLines.filter((l) => l.routerMinusEqual.ciLow > 0).map((l) => l.dataset),
  syntheticSeedsRouterAhead: synthLines.filter((l) => l.routerMinusEqual.sharpeDiff > 0).length,
  syntheticSeedsRetrainedRouterAhead: synthRetrained.filter((l) => l.routerMinusEqual.sharpeDiff > 0).length,
  syntheticRetrainedRouterMinusEqualMean: mean(synthRetrained.map((l) => l.routerMinusEqual.sharpeDiff)),
  syntheticSeedsRetrainedRouterBelowStaticFit: synthRetrained.filter((l) => (l.sharpe['router'] ?? -Infinity) < (l.sharpe['static-fit'] ?? -Infinity)).length,
  realRetrainedRouterMinusEqual: Object.fromEntries(realRetrained.map((l) => [l.dataset, l.routerMinusEqual.sharpeDiff])),
  contestMinusEqualMeanReal: mean(realLines.map((l) => l.contestMinusEqual.sharpeDiff)),
  contestInMarketMeanReal: mean(realLines.map((l) => l.contestInMarket)),
  calibratedMinusEqualMeanReal: mean(realLines.map((l) => l.calibratedMinusEqual.sharpeDiff)),
  calibratedInMarketMeanReal: mean(realLines.map((l) => l.calibratedInMarket)),
  scoreModelRankIcMeanReal: mean(realLines.flatMap((l) => (l.scoreModel?.meanRankIc == null ? [] : [l.scoreModel.meanRankIc]))),
  scoreModelAboveZero: lines.filter((l) => (l.scoreModel?.ciLow ?? -1) > 0).map((l) => l.dataset),
  scoreModelBelowZero: lines.filter((l) => (l.scoreModel?.ciHigh ?? 1) < 0).map((l) => l.dataset),
};

const table = [
  '| data set | test bars | router | equal | static-fit | contest (in market) | contest, hurdle fitted (in market; hurdle) | router - equal [90% CI] | contest - equal [90% CI] | contest fitted - equal [90% CI] | turnover equal / router | regime acc. / majority | score model rank IC [90% CI] |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...lines.map((l) => {
    const s = l.sharpe;
    const ci = (c: Comparison) => `${fmt(c.sharpeDiff)} [${fmt(c.ciLow)}, ${fmt(c.ciHigh)}]`;
    return `| ${l.dataset} (${l.assets}) | ${l.test} (${l.bars}) | ${fmt(s['router'])} | ${fmt(s['equal-weight'])} | ${fmt(s['static-fit'])} | ${fmt(s['contest'])} (${pct(l.contestInMarket)}) | ${fmt(s['contest-calibrated'])} (${pct(l.calibratedInMarket)}; ${l.calibratedHurdle.join(', ')}) | ${ci(l.routerMinusEqual)} | ${ci(l.contestMinusEqual)} | ${ci(l.calibratedMinusEqual)} | ${fmt(l.equalTurnover, 0)} / ${fmt(l.routerTurnover, 0)} | ${pct(l.regime.accuracy)} / ${pct(l.regime.majorityRate)} | ${l.scoreModel ? `${fmt(l.scoreModel.meanRankIc, 3)} [${fmt(l.scoreModel.ciLow, 3)}, ${fmt(l.scoreModel.ciHigh, 3)}]` : 'n/a'} |`;
  }),
].join('\n');

const verdict = [
  `- Router minus equal weights, mean over the ${realLines.length} real sets: **${fmt(summary.routerMinusEqualMeanReal)}** Sharpe (target: positive). ` +
    `Sets whose 90% interval lies wholly below 0: ${summary.realSetsWithCiBelowZero.length === 0 ? 'none' : summary.realSetsWithCiBelowZero.join(', ')}; wholly above 0: ${summary.realSetsWithCiAboveZero.length === 0 ? 'none' : summary.realSetsWithCiAboveZero.join(', ')}.`,
  `- Synthetic market, the committed router (fitted on crypto): ahead of equal weights in **${summary.syntheticSeedsRouterAhead} of ${synthLines.length}** seeds (target: at least 4).`,
  `- Synthetic market, the convnet and the router retrained on each fold's past (walk-forward, ${RETRAIN_FOLDS} folds): ahead of equal weights in **${summary.syntheticSeedsRetrainedRouterAhead} of ${synthRetrained.length}** seeds, by ${fmt(summary.syntheticRetrainedRouterMinusEqualMean)} Sharpe on average; ` +
    `below static-fit in ${summary.syntheticSeedsRetrainedRouterBelowStaticFit} of ${synthRetrained.length}.`,
  `- Real sets with the convnet and the router retrained per fold: ${realRetrained.map((l) => `${l.dataset.replace(', retrained', '')} ${fmt(l.routerMinusEqual.sharpeDiff)} [${fmt(l.routerMinusEqual.ciLow)}, ${fmt(l.routerMinusEqual.ciHigh)}]`).join('; ')} (router minus equal weights).`,
  `- Contest minus equal weights, mean over the real sets: **${fmt(summary.contestMinusEqualMeanReal)}** Sharpe, in the market ${pct(summary.contestInMarketMeanReal)} of the test bars on average (the rest in cash).`,
  `- The contest with its hurdle chosen on the training bars (from 0, 0.5, 1, 1.5, 2, 3; cash scores 0 there): minus equal weights, mean over the real sets **${fmt(summary.calibratedMinusEqualMeanReal)}** Sharpe, in the market ${pct(summary.calibratedInMarketMeanReal)} of the test bars on average.`,
  `- The contest's score model (rank IC of predicted vs next-window agent Sharpe): mean **${fmt(summary.scoreModelRankIcMeanReal, 3)}** over the real sets; ` +
    `interval wholly above 0 on ${summary.scoreModelAboveZero.length === 0 ? 'none' : summary.scoreModelAboveZero.join(', ')}; wholly below 0 on ${summary.scoreModelBelowZero.length === 0 ? 'none' : summary.scoreModelBelowZero.join(', ')}.`,
].join('\n');

const md = `# Research: do the router and the contest beat equal weights?

Generated by \`npm run research\` (bench/research/router.ts) on ${new Date().toISOString().slice(0, 10)}; do not edit by hand.

**Protocol.** \`arena eval\` on each set, single split with the committed models: the last ${TEST_FRACTION * 100}% of the bars, or fewer where that
would reach back into the committed models' training range (${new Date(fittedFrom).toISOString().slice(0, 10)}..${new Date(fittedTo).toISOString().slice(0, 10)}) plus
${EMBARGO_BARS} bars; eval's leak check (\`ARENA_E_EVAL_OVERLAP\`) enforces it. The learned expert (convnet) and the router are
the committed ones, fitted on crypto spot 1h; on every other set they are applied as they are. Equal weights,
static-fit (47 weight vectors fitted on the training bars) and the contest use the same experts and the same
cost-aware execution; 10 bps fee, the default spread and impact slippage, volume cap. Sharpe is annualised; the
intervals are paired stationary block bootstraps (2,000 resamples, 90%). The contest's score model learns on line
from past windows only; \`contest\` uses the configured hurdle (annualised Sharpe 1.5), \`contest-calibrated\` the
one of 0, 0.5, 1, 1.5, 2 and 3 with the best Sharpe on the training bars (cash scores 0).
Rows marked **retrained** run \`arena eval --walk-forward ${RETRAIN_FOLDS} --train\` instead: the second half of the bars in
${RETRAIN_FOLDS} test blocks, chained. Nothing committed is used: the learned expert's convnet is retrained at the
middle of the first half and at each block's start, each on the bars before it minus a ${EMBARGO_BARS - 1}-bar embargo, and decides
from there on (0 before the first); before each block a router is trained (SFT then RL, its shrinkage towards equal
chosen on a validation block) on the bars before it, reading those out-of-sample learned outputs (nested), and
static-fit is refitted there. Not in this run: US stocks (505 assets, about 8 minutes a run) and US futures
(whose router labels needed every row of the next 24 present until the labels learnt to skip calendar gaps, after
this run); both are measured with the same command in docs/router.md ("Walk-forward with nothing committed").

${table}

${verdict}

**Since the previous run** (issue 16): the retrained rows retrain the convnet per fold too (nested), which lets
them run on the crypto sets; the router's SFT target is KL(policy || oracle) and its training selects epochs and
shrinkage by the excess over equal weights, its performance inputs are net of costs, and the committed router was
retrained with that code; the contest's agents have directional, contrarian and market-neutral books. The
selector needs no retraining: it selects on line from past bars only.
`;
writeFileSync(join(ROOT, 'docs/research.md'), md);
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/research.json'), `${JSON.stringify({ name: 'research', measuredAt: new Date().toISOString(), testFraction: TEST_FRACTION, embargoBars: EMBARGO_BARS, retrainFolds: RETRAIN_FOLDS, summary, sets: lines }, null, 2)}\n`);
process.stdout.write(`${table}\n\n${verdict}\n\nwrote docs/research.md, bench/results/research.json\n`);
