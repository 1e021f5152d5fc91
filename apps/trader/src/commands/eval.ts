/** `arena eval`: the router vs equal weights, the best expert, fitted static weights, the oracle and buy and hold, out of sample. */
import { join } from 'node:path';
import { type BarPanel, ERR, arenaError, expertNames } from '@arena/core';
import { ContestLedger, Ledger, contestSettings, describeOverlaps, evalFolds, evalTable, foldOverlaps, loadedModelRanges, otherTimeframeModels, otherTimeframeWarning, summariseDataTeam, fillAssumptions, loadMarket, loadModels, hurdleLine, benchmarkLine, trainLearnedChain, regimeLine, runEval, scoreModelLine, stepPanel, writeEval } from '@arena/engine';
import { type Runtime, initRuntime } from '@arena/kernels';
import { DEFAULT_LABELS, ModelRouter, trainRouterOnPanel } from '@arena/router';
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
  const loaded = await loadModels(contestConfig, log, funding);
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
  const ledgerPath = flags.db ?? join(flags.out, 'ledger.db');
  const ledger = Ledger.open(ledgerPath);
  const runId = ledger.startRun({ kind: 'eval', source, symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config: contestConfig });
  const sink = new ContestLedger(ledger, runId);
  const stepProgress = createProgress('pipeline');
  let stepped;
  try {
    stepped = await stepPanel({ panel, config: contestConfig, models, ...(funding ? { funding } : {}), ...(fundingDue ? { fundingDue } : {}), contestSink: sink, onProgress: (_s, d, n) => stepProgress.update(d, n) });
    sink.finish();
  } finally {
    ledger.close();
  }
  stepProgress.done();
  const { experts, routing } = stepped;
  const exposures = experts.map((e) => e.exposure);
  const contestRun = stepped.contest!;
  const team = stepped.dataTeam ? summariseDataTeam(stepped.dataTeam) : undefined;
  if (team) log(`data team: ${team.length} factor producers scored by rank IC every ${config.contest.window} bars; chosen: ${team.map((d) => `${d.name} ${(d.chosenShare * 100).toFixed(0)}%`).join(', ')}`);
  log(`contest: ${contestConfig.contest.agents} agents over ${panel.nTimes} bars; ${contestRun.frames.length} windows, in cash ${((contestRun.cashBars / Math.max(1, panel.nTimes)) * 100).toFixed(1)}% of bars${contestRun.benchmarkBars > 0 ? `, on the benchmark ${((contestRun.benchmarkBars / Math.max(1, panel.nTimes)) * 100).toFixed(1)}%` : ''}; record in ${ledgerPath} (run ${runId})`);
  const progress = createProgress('eval');
  const routeFold = flags.train
    ? async (trainEnd: number) => {
        progress.done();
        log(`training a router on bars 0..${trainEnd - 1} (${new Date(panel.ts[0]!).toISOString().slice(0, 10)}..${new Date(panel.ts[trainEnd - 1]!).toISOString().slice(0, 10)})`);
        const trained = await trainRouterOnPanel(rt.tf, panel.slice(0, trainEnd), exposures.map((x) => x.subarray(0, trainEnd * panel.nAssets)), {
          name: 'eval',
          source,
          backend: rt.info.backend,
          fractions: [0.8, 0.2, 0],
          names: expertNames(config),
          ...(funding ? { funding: funding.subarray(0, trainEnd * panel.nAssets) } : {}),
        });
        const m = new ModelRouter(rt, { model: trained.model, card: trained.card, dir: '(trained for eval)' }, config.router.temperature, config.router.smoothing, config.router.every);
        return await m.routeWith(panel, exposures, m.prepare(panel, funding));
      }
    : undefined;
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
    router: flags.train ? `router retrained on the training bars of each fold (${routing.source} routing otherwise)` : routing.note,
    fittedModels,
    ...(chain ? { learnedChain: chain.records } : {}),
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
