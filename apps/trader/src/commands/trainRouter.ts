/** `arena train router`: SFT then RL (GRPO) of the multimodal router on a data folder (or the synthetic market). */
import { join, resolve } from 'node:path';
import { ERR, arenaError, expertNames } from '@arena/core';
import { boxTable, computeExperts, evalFolds, loadMarket, precompute, trainLearnedChain } from '@arena/engine';
import { LearnedExpert, createLearnedExpert, loadUserExperts } from '@arena/experts';
import { initRuntime } from '@arena/kernels';
import { DEFAULT_LABELS, DEFAULT_TRAIN, EqualRouter, type RouterCard, saveRouter, trainRouterOnPanel } from '@arena/router';
import { parseInRange, parseOptionalInteger } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import { configFromFlags } from './backtest.ts';
import type { TrainFlags } from './train.ts';

export interface TrainRouterFlags extends Omit<TrainFlags, 'sparsity' | 'folds' | 'epochs' | 'selectorWindow'> {
  stride?: string;
  sftEpochs?: string;
  rlEpochs?: string;
  klBound?: string;
  features: boolean;
  truthLabels?: boolean;
  /** learn from the committed convnet's outputs as they are, in sample on its own training bars (not the default) */
  inSampleLearned?: boolean;
}

/** the blocks over the second half of the training bars at whose starts the learned expert's convnets are retrained */
const NESTED_BLOCKS = 3;

export async function trainRouterCommand(flags: TrainRouterFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const config = configFromFlags({ ...flags, out: '', baselines: false });
  // every flag checked before the data is loaded and anything trains
  const sftEpochs = parseOptionalInteger('--sft-epochs', flags.sftEpochs, 0);
  const rlEpochs = parseOptionalInteger('--rl-epochs', flags.rlEpochs, 0);
  const klBound = flags.klBound === undefined ? undefined : parseInRange('--kl-bound', flags.klBound, Number.MIN_VALUE, Infinity, '> 0');
  if (sftEpochs === 0 && rlEpochs === 0) throw arenaError(ERR.CLI_ARG, '--sft-epochs / --rl-epochs', 'both 0: nothing would be trained');
  const seed = parseOptionalInteger('--train-seed', flags.trainSeed, 0);
  const samples = parseOptionalInteger('--samples-per-epoch', flags.samplesPerEpoch, 1);
  const horizon = parseOptionalInteger('--horizon', flags.horizon, 1);
  const stride = parseOptionalInteger('--stride', flags.stride, 1);
  const { panel, source, funding, regimes } = await loadMarket(config, log);
  if (flags.truthLabels && regimes === undefined) throw arenaError(ERR.CONFIG, '--truth-labels needs the synthetic market (its regimes are known); drop --data');
  const truth = flags.truthLabels ? regimes : undefined;
  const rt = await initRuntime({ log });
  const learned = await createLearnedExpert(config.experts.learned, { runtime: rt, log, ...(funding ? { funding } : {}) });
  // the user's experts of the config (experts.custom): the router learns to weight them beside the built-in ones
  const user = await loadUserExperts(config.experts.custom, { probe: config.experts.userTimeoutMs });
  const t0 = performance.now();
  // the learned expert's outputs the router learns from are out of sample (nested walk-forward, as eval --train):
  // the committed convnet was fitted on these very bars, and its in-sample outputs would teach the router to trust it
  // more than it earns; convnets retrained on a chain over the bars, each deciding only after the bars it learned from
  const nested = learned instanceof LearnedExpert && !flags.inSampleLearned;
  let learnedOutputs: RouterCard['learnedOutputs'];
  let experts: Float64Array[];
  if (nested) {
    const embargo = Math.max(DEFAULT_LABELS.horizon, DEFAULT_LABELS.regimeHorizon);
    const chain = await trainLearnedChain({ tf: rt.tf, panel, ...(funding ? { funding } : {}), folds: evalFolds(panel.nTimes, 0.5, NESTED_BLOCKS), learned, embargo, source, backend: rt.info.backend, prefix: 'router-chain', log });
    if (chain.records.length === 0) log('learned expert: holds 0 throughout (too few bars to train a convnet before any chain point)');
    else log(`learned expert: ${chain.records.length} convnet${chain.records.length === 1 ? '' : 's'} retrained on a chain (out-of-sample outputs); it holds 0 before ${chain.records[0]!.decidesFrom.slice(0, 10)}`);
    const bar = createProgress('experts');
    const pre = await precompute(panel, config, { learned, learnedChain: chain.nets, router: new EqualRouter('train router: the experts alone'), ...(user.length > 0 ? { user } : {}) }, funding, { onProgress: (_s, d, n) => bar.update(d, n) });
    bar.done();
    experts = pre.experts.map((e) => e.exposure);
    learnedOutputs = { kind: 'nested', nets: chain.records };
  } else {
    experts = computeExperts(panel, config, learned, user).map((e) => e.exposure);
    if (learned instanceof LearnedExpert) {
      learnedOutputs = { kind: 'committed' };
      log('warning (--in-sample-learned): the router learns from the committed convnet\'s outputs, in sample on the bars that convnet was fitted on');
    }
  }
  log(`experts: ${experts.length} over ${panel.nAssets} x ${panel.nTimes} bars in ${(performance.now() - t0).toFixed(0)} ms`);
  const name = flags.name ?? 'router';
  const out = resolve(flags.out ?? join('models', 'router', name));
  let stage = '';
  let progress = createProgress('features');
  const trained = await trainRouterOnPanel(rt.tf, panel, experts, {
    names: expertNames(config),
    name,
    source,
    backend: rt.info.backend,
    ...(funding ? { funding } : {}),
    ...(truth ? { regimeTruth: truth } : {}),
    ...(stride !== undefined ? { stride } : {}),
    useFeatures: flags.features,
    ...(horizon !== undefined ? { labels: { horizon, regimeHorizon: horizon } } : {}),
    train: {
      ...(seed !== undefined ? { seed } : {}),
      ...(samples !== undefined ? { samplesPerEpoch: samples } : {}),
      sft: { ...DEFAULT_TRAIN.sft, ...(sftEpochs !== undefined ? { epochs: sftEpochs } : {}) },
      rl: { ...DEFAULT_TRAIN.rl, ...(rlEpochs !== undefined ? { epochs: rlEpochs } : {}), ...(klBound !== undefined ? { klBound } : {}) },
    },
    onProgress: (s, done, total, detail) => {
      const label = s === 'sft' || s === 'rl' ? 'train router (SFT, then RL)' : s;
      if (label !== stage) {
        progress.done();
        progress = createProgress(label);
        stage = label;
      }
      if (detail.includes(':')) {
        progress.done();
        log(`  ${detail}`);
      }
      progress.update(done, total);
    },
  });
  progress.done();
  const c: RouterCard = learnedOutputs ? { ...trained.card, learnedOutputs } : trained.card;
  await saveRouter(rt.tf, trained.model, c, out);
  const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
  const f = (v: number) => v.toFixed(4);
  const ir = (v: number | undefined) => (v === undefined ? '-' : f(v));
  process.stdout.write(
    '\n' + boxTable('SPLITS (chronological, purged)', ['Split', 'From', 'To', 'Samples'], (['train', 'valid', 'test'] as const).map((k) => [k, c.splits[k].from.slice(0, 16), c.splits[k].to.slice(0, 16), String(c.splits[k].samples)])),
  );
  process.stdout.write(
    '\n' + boxTable('EPOCHS', ['Stage', 'Epoch', 'Loss', 'Valid Sharpe', 'Valid excess over equal', 'Valid regime acc', 'KL to SFT'], c.epochs.map((e) => [e.stage, String(e.epoch), f(e.loss), f(e.validSharpe), e.validExcessSharpe === undefined ? '-' : f(e.validExcessSharpe), pct(e.validRegimeAccuracy), e.kl === undefined ? '' : `${f(e.kl)}${e.undone ? ' (undone)' : ''}`])),
  );
  const t = c.metrics.test;
  process.stdout.write(
    '\n' + boxTable('TEST SPLIT (out of sample; reward = forward risk-adjusted net return)', ['Policy', 'Sharpe per decision', 'Mean reward', 'Excess over equal (IR)', 'Regime accuracy'], [
      [c.shrink && c.shrink.lambda > 0 ? `router (shrunk ${c.shrink.lambda} towards equal)` : 'router', f(t.router.sharpe), f(t.router.meanReward), ir(t.router.excessSharpe), pct(t.router.regimeAccuracy)],
      ...(t.routerUnshrunk && c.shrink && c.shrink.lambda > 0 ? [['router, not shrunk', f(t.routerUnshrunk.sharpe), f(t.routerUnshrunk.meanReward), ir(t.routerUnshrunk.excessSharpe), pct(t.routerUnshrunk.regimeAccuracy)]] : []),
      ['equal weights', f(t.equalWeight.sharpe), f(t.equalWeight.meanReward), ir(0), `${pct(t.equalWeight.regimeAccuracy)} (chance)`],
      ['oracle (upper bound)', f(t.oracle.sharpe), f(t.oracle.meanReward), ir(t.oracle.excessSharpe), '-'],
    ]),
  );
  process.stdout.write('\n');
  log(`SFT best epoch ${c.metrics.sft.bestEpoch} (${c.training.sftSeconds.toFixed(1)} s), RL best epoch ${c.metrics.rl.bestEpoch} (KL to SFT ${f(c.metrics.rl.klToSft)} <= ${c.metrics.rl.klBound}; ${c.training.rlSeconds.toFixed(1)} s); ${c.cost.params} parameters on ${c.training.backend}`);
  if (c.shrink) {
    const excess = c.shrink.by === 'excess';
    log(`shrinkage towards equal weights, by validation ${excess ? 'excess over equal weights (IR)' : 'Sharpe'}: ${c.shrink.grid.map((g) => `${g.lambda}: ${f(excess ? g.validExcessSharpe ?? NaN : g.validSharpe)}`).join(', ')} -> ${c.shrink.lambda}`);
  }
  log(`saved ${out}/{model.json,weights.bin,card.json}`);
}
