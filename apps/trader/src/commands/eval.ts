/** `arena eval`: the router vs equal weights, the best expert, fitted static weights, the oracle and buy and hold, out of sample. */
import { join } from 'node:path';
import { type ArenaConfig, type BarPanel, ERR, arenaError, expertNames } from '@arena/core';
import { type ChainedRouterRecord, type PipelineModels, type Precomputed, chainRouting, precompute, ContestLedger, Ledger, contestSettings, describeOverlaps, evalFolds, evalTable, foldOverlaps, loadedModelRanges, otherTimeframeModels, otherTimeframeWarning, summariseDataTeam, fillAssumptions, loadMarket, loadModels, hurdleLine, benchmarkLine, trainLearnedChain, regimeLine, runEval, scoreModelLine, stepPanel, writeEval } from '@arena/engine';
import { type Runtime, initRuntime } from '@arena/kernels';
import { DEFAULT_LABELS, EqualRouter, ModelRouter, type RoutingSeries, trainRouterOnPanel } from '@arena/router';
import { parseNumber } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import type { LearnedExpert } from '@arena/experts';
import { type BacktestFlags, configFromFlags } from './backtest.ts';

export interface EvalFlags extends Omit<BacktestFlags, 'baselines' | 'weights' | 'contest'> {
  walkForward?: string;
  testFraction?: string;
  train?: boolean;
  allowOverlap?: boolean;
}

export async function evalCommand(flags: EvalFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  // the router row is the trained router unless --router says otherwise (the default strategy is equal weights)
  const config = configFromFlags({ ...flags, router: flags.router ?? 'model', baselines: false });
  const folds = flags.walkForward === undefined ? 0 : parseNumber('--walk-forward', flags.walkForward);
  if (flags.walkForward !== undefined && !(Number.isInteger(folds) && folds >= 2)) throw arenaError(ERR.CONFIG, `--walk-forward must be an integer >= 2, got ${flags.walkForward}`);
  const testFraction = flags.testFraction === undefined ? 0.3 : parseNumber('--test-fraction', flags.testFraction);
  if (!(testFraction > 0 && testFraction < 1)) throw arenaError(ERR.CONFIG, `--test-fraction must be in (0, 1), got ${flags.testFraction}`);
  const { panel, source, funding, fundingDue, regimes: truth } = await loadMarket(config, log);
  if (panel.nTimes < 400) throw arenaError(ERR.DATA_TOO_SHORT, panel.nTimes, source, 400);
  // the pipeline over every bar with the contest on: the router's row, the experts and the contest's record
  const contestConfig = { ...config, contest: { ...config.contest, enabled: true } };
  // --train trains a router per fold (routerFolds): the committed one is not loaded
  const loaded = await loadModels(flags.train ? { ...contestConfig, router: { ...contestConfig.router, mode: 'equal' } } : contestConfig, log, funding);
  const embargo = Math.max(DEFAULT_LABELS.horizon, DEFAULT_LABELS.regimeHorizon);
  const bounds = evalFolds(panel.nTimes, testFraction, folds);
  const rt = loaded.runtime ?? (await initRuntime({ log }));
  // --train: the learned expert is retrained per fold too (nested: the router then learns from its out-of-sample outputs)
  const chain = flags.train && loaded.learned ? await trainChain(rt, panel, funding, bounds, loaded.learned, embargo, source, log) : undefined;
  const models = chain ? { ...loaded, learnedChain: chain.nets } : loaded;
  // --train retrains the router per fold on these bars; the committed models are used as they are otherwise
  for (const m of otherTimeframeModels(models, flags.train ? {} : { routing: models.router }, panel.timeframe)) log(`warning: ${otherTimeframeWarning(m, panel.timeframe)}`);
  // leak check before any work: no committed model may have been fitted on a fold's test bars (plus an embargo)
  const fittedModels = loadedModelRanges(models, !flags.train);
  const overlaps = foldOverlaps(panel, source, bounds, fittedModels, embargo);
  if (overlaps.length > 0) {
    if (!flags.allowOverlap) throw arenaError(ERR.EVAL_OVERLAP, describeOverlaps(overlaps));
    log(`warning (--allow-overlap): ${describeOverlaps(overlaps)}; the rows that use these models are marked not out of sample`);
  }
  // --train: a router per fold, trained before the pipeline steps, and the pipeline (the contest's agents too) stepped
  // with them chained, so nothing it reads was fitted on the bars it is scored on; the committed router never enters
  const folded = flags.train ? await routerFolds({ rt, panel, config: contestConfig, models, funding, bounds, embargo, source, log }) : undefined;
  const ledgerPath = flags.db ?? join(flags.out, 'ledger.db');
  const ledger = Ledger.open(ledgerPath);
  const runId = ledger.startRun({ kind: 'eval', source, symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config: contestConfig });
  const sink = new ContestLedger(ledger, runId);
  const stepProgress = createProgress('pipeline');
  let stepped;
  try {
    stepped = await stepPanel({ panel, config: contestConfig, models, ...(folded ? { precomputed: folded.precomputed } : {}), ...(funding ? { funding } : {}), ...(fundingDue ? { fundingDue } : {}), contestSink: sink, onProgress: (_s, d, n) => stepProgress.update(d, n) });
    sink.finish();
  } finally {
    ledger.close();
  }
  stepProgress.done();
  const { experts, routing } = stepped;
  const contestRun = stepped.contest!;
  const team = stepped.dataTeam ? summariseDataTeam(stepped.dataTeam) : undefined;
  if (team) log(`data team: ${team.length} factor producers scored by rank IC every ${config.contest.window} bars; chosen: ${team.map((d) => `${d.name} ${(d.chosenShare * 100).toFixed(0)}%`).join(', ')}`);
  log(`contest: ${contestConfig.contest.agents} agents over ${panel.nTimes} bars; ${contestRun.frames.length} windows, in cash ${((contestRun.cashBars / Math.max(1, panel.nTimes)) * 100).toFixed(1)}% of bars${contestRun.benchmarkBars > 0 ? `, on the benchmark ${((contestRun.benchmarkBars / Math.max(1, panel.nTimes)) * 100).toFixed(1)}%` : ''}; record in ${ledgerPath} (run ${runId})`);
  const progress = createProgress('eval');
  const routeFold = folded ? async (t0: number) => folded.routings.get(t0)! : undefined;
  const result = await runEval({
    panel,
    config,
    experts,
    routing,
    testFraction,
    folds,
    ...(fundingDue ? { fundingDue } : {}),
    ...(routeFold ? { routeFold } : {}),
    ...(truth ? { regimeTruth: truth } : {}),
    contest: { run: contestRun, topK: config.contest.topK, window: config.contest.window, settings: contestSettings(contestConfig) },
    onProgress: (d, n) => progress.update(d, n),
  });
  progress.done();
  const meta = {
    source,
    timeframe: panel.timeframe,
    symbols: panel.symbols,
    router: flags.train ? `router retrained per fold on the bars before it minus a ${embargo}-bar embargo; the pipeline and the contest stepped with these routers (equal weights before the first fold)` : routing.note,
    fittedModels,
    ...(chain ? { learnedChain: chain.records } : {}),
    ...(folded ? { routerChain: folded.records } : {}),
    overlaps,
    fillAssumptions: fillAssumptions(config),
  };
  const out = flags.out;
  const written = writeEval(out, meta, result);
  process.stdout.write(`${evalTable(result)}\n`);
  log(regimeLine(result));
  const scoreLine = scoreModelLine(result);
  if (scoreLine) log(scoreLine);
  const hurdle = hurdleLine(result);
  if (hurdle) log(hurdle);
  const onBenchmark = benchmarkLine(result);
  if (onBenchmark) log(onBenchmark);
  log(`wrote ${written.json}, ${written.html}`);
}

/**
 * eval --train's routers: the pipeline's stages precomputed with equal weights (the experts do not depend on the
 * router), then per fold a router trained on the bars before it minus the embargo (SFT then RL, its shrinkage chosen
 * on a validation block), checked against the fold's test bars from its card, routing the whole panel; the stages
 * returned route with them chained (routerChain.ts), and each fold's own routing is what its router row reads.
 */
async function routerFolds(o: { rt: Runtime; panel: BarPanel; config: ArenaConfig; models: PipelineModels; funding: Float64Array | undefined; bounds: [number, number][]; embargo: number; source: string; log: (s: string) => void }) {
  const { rt, panel, config, funding, bounds, embargo, source, log } = o;
  const A = panel.nAssets;
  const day = (t: number) => new Date(panel.ts[t]!).toISOString().slice(0, 10);
  const bar = createProgress('experts');
  const pre = await precompute(panel, config, { ...o.models, router: new EqualRouter('eval --train: routers trained per fold') }, funding, { onProgress: (_s, d, n) => bar.update(d, n) });
  bar.done();
  const exposures = pre.experts.map((x) => x.exposure);
  const routings: RoutingSeries[] = [];
  const records: ChainedRouterRecord[] = [];
  for (const [k, [t0]] of bounds.entries()) {
    const end = t0 - embargo;
    if (end < 2) throw arenaError(ERR.CONFIG, `eval --train: fold ${k + 1} starts at bar ${t0}, too early for a router trained before it and a ${embargo}-bar embargo`);
    log(`training the router of fold ${k + 1} on bars 0..${end - 1} (${day(0)}..${day(end - 1)}; ${embargo} bars of embargo before the fold)`);
    const trained = await trainRouterOnPanel(rt.tf, panel.slice(0, end), exposures.map((x) => x.subarray(0, end * A)), {
      name: 'eval',
      source,
      backend: rt.info.backend,
      fractions: [0.8, 0.2, 0],
      names: expertNames(config),
      ...(funding ? { funding: funding.subarray(0, end * A) } : {}),
    });
    const card = trained.card;
    // cannot fire (it learned from bars before the embargo), and says so if it ever did
    const overlaps = foldOverlaps(panel, source, bounds, [{ model: `router of fold ${k + 1}`, source: card.data.source, from: card.data.from, to: card.data.to, horizon: Math.max(card.labels.horizon, card.labels.regimeHorizon) }], embargo).filter((x) => x.fold === k);
    if (overlaps.length > 0) throw new Error(`eval --train: ${describeOverlaps(overlaps)}`);
    const m = new ModelRouter(rt, { model: trained.model, card, dir: '(trained for eval)' }, config.router.temperature, config.router.smoothing, config.router.every);
    routings.push(await m.routeWith(panel, exposures, m.prepare(panel, funding)));
    records.push({ fold: k, routesFrom: new Date(panel.ts[t0]!).toISOString(), trainedOn: { from: card.data.from, to: card.data.to } });
  }
  const precomputed: Precomputed = { ...pre, routing: chainRouting(panel, bounds, routings, exposures.length) };
  return { precomputed, routings: new Map(bounds.map(([t0], k) => [t0, routings[k]!])), records };
}

/** The learned expert's nets for eval --train (learnedChain.ts), with a progress bar per net. */
async function trainChain(rt: Runtime, panel: BarPanel, funding: Float64Array | undefined, bounds: [number, number][], learned: LearnedExpert, embargo: number, source: string, log: (s: string) => void) {
  let bar: ReturnType<typeof createProgress> | undefined;
  let current = -1;
  const chain = await trainLearnedChain({
    tf: rt.tf,
    panel,
    ...(funding ? { funding } : {}),
    folds: bounds,
    learned,
    embargo,
    source,
    backend: rt.info.backend,
    log: (line) => {
      bar?.done();
      log(line);
    },
    onProgress: (net, nets, _stage, done, total) => {
      if (net !== current) (current = net), (bar = createProgress(`convnet ${net + 1}/${nets}`));
      bar!.update(done, total);
    },
  });
  bar?.done();
  if (chain.records.length === 0) log('learned expert: holds 0 throughout: no fold had the history to train its convnet');
  else log(`learned expert: ${chain.records.length} convnets trained per fold; it holds 0 before ${chain.records[0]!.decidesFrom.slice(0, 10)} (rank IC on their own validation: ${chain.records.map((r) => r.rankIC.toFixed(3)).join(', ')})`);
  return chain;
}
