/** `arena train convnet`: walk-forward training of the LiteConvNet on a data folder (or the synthetic market). */
import { join, resolve } from 'node:path';
import { ERR, arenaError } from '@arena/core';
import { saveConvNet, selectorConfig, trainOnPanel } from '@arena/features';
import { initRuntime } from '@arena/kernels';
import { boxTable, loadMarket } from '@arena/engine';
import { parseInRange, parseOptionalInteger } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import { type BacktestFlags, configFromFlags } from './backtest.ts';

export interface TrainFlags extends Omit<BacktestFlags, 'out' | 'baselines' | 'feeBps' | 'longOnly' | 'weights'> {
  out?: string;
  name?: string;
  horizon?: string;
  epochs?: string;
  folds?: string;
  sparsity?: string;
  trainSeed?: string;
  samplesPerEpoch?: string;
  selectorWindow?: string;
}

export async function trainConvnetCommand(flags: TrainFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const config = configFromFlags({ ...flags, out: '', baselines: false });
  // every flag checked before the data is loaded and anything trains
  const horizon = parseOptionalInteger('--horizon', flags.horizon, 1);
  const maxEpochs = parseOptionalInteger('--epochs', flags.epochs, 1);
  const folds = parseOptionalInteger('--folds', flags.folds, 1);
  const sparsity = flags.sparsity === undefined ? undefined : parseInRange('--sparsity', flags.sparsity, 0, 1);
  const seed = parseOptionalInteger('--train-seed', flags.trainSeed, 0);
  const samplesPerEpoch = parseOptionalInteger('--samples-per-epoch', flags.samplesPerEpoch, 1);
  const selectorWindow = parseOptionalInteger('--selector-window', flags.selectorWindow, 1);
  try {
    selectorConfig({ ...(selectorWindow !== undefined ? { window: selectorWindow } : {}), ...(horizon !== undefined ? { horizon } : {}) });
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--selector-window / --horizon', (e as Error).message);
  }
  const { panel, source, funding } = await loadMarket(config, log);
  const rt = await initRuntime({ log });
  if (rt.info.backend === 'cpu') log('warning: training on tfjs plain cpu backend (~25x slower than wasm here)');
  const name = flags.name ?? 'convnet';
  const out = resolve(flags.out ?? join('models', 'convnet', name));
  const progress = createProgress('train convnet');
  let stage = '';
  const opt = <T>(key: string, v: T | undefined) => (v === undefined ? {} : { [key]: v });
  const trained = await trainOnPanel(rt.tf, panel, funding, {
    name,
    source,
    backend: rt.info.backend,
    ...opt('horizon', horizon),
    ...opt('maxEpochs', maxEpochs),
    ...opt('folds', folds),
    ...opt('sparsity', sparsity),
    ...opt('seed', seed),
    ...opt('samplesPerEpoch', samplesPerEpoch),
    ...(selectorWindow !== undefined ? { selector: { window: selectorWindow } } : {}),
    onProgress: (p) => {
      if (p.stage !== stage && (p.stage === 'features' || p.stage === 'selection' || p.stage.startsWith('fold 1'))) {
        progress.done();
        stage = p.stage;
      }
      progress.update(p.done, p.total);
    },
  });
  progress.done();
  await saveConvNet(rt.tf, trained.result.model, trained.card, out);
  const c = trained.card;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  process.stdout.write(
    '\n' + boxTable(
      'WALK-FORWARD FOLDS (out of sample)',
      ['Fold', 'Validation', 'Train', 'Valid', 'Epochs', 'Rank IC', 'Hit rate'],
      c.folds.map((f) => [String(f.fold), `${f.validFrom.slice(0, 10)} .. ${f.validTo.slice(0, 10)}`, String(f.trainSamples), String(f.validSamples), String(f.epochs), f.rankIC.toFixed(4), pct(f.hitRate)]),
    ),
  );
  process.stdout.write(
    '\n' + boxTable('MODEL', ['', ''], [
      ['Parameters (non-zero)', `${c.cost.params} (${c.cost.nonzeroParams})`],
      ['FLOPs per sample (dense / sparse)', `${c.cost.flops} / ${c.cost.sparseFlops}`],
      ['Sparsity (target / measured)', `${pct(c.pruning.targetSparsity)} / ${pct(c.pruning.measuredSparsity)}`],
      ['Pruning: max |dp| before fine-tune', c.pruning.maxProbChangeBeforeFineTune.toFixed(4)],
      ['Final (pruned) rank IC / hit rate', `${c.metrics.rankIC.toFixed(4)} / ${pct(c.metrics.hitRate)}`],
      ['Backend, seconds', `${c.training.backend}, ${c.training.seconds.toFixed(1)}`],
    ], true),
  );
  process.stdout.write('\n');
  log(`saved ${out}/{model.json,weights.bin,card.json}`);
}
