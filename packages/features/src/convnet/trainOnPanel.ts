/**
 * From a panel to a trained, pruned, saved LiteConvNet: features -> dynamic selection -> z-scored inputs ->
 * walk-forward training -> pruning + fine-tuning -> model card. Training runs on the tensor runtime's backend
 * (tensorflow or a hardware GPU when present, else wasm; never tfjs's plain cpu backend, ~25x slower here).
 */
import type { BarPanel } from '@arena/core';
import type { Tf } from '@arena/kernels';
import { computeFeatures } from '../catalogue.ts';
import type { FeatureSet } from '../featureSet.ts';
import { runSelector, type SelectionRun } from '../selector.ts';
import { type SelectorConfigInput, selectorConfig } from '../selectorConfig.ts';
import { type ConvNetSpec, DEFAULT_SPEC, convNetCost } from './architecture.ts';
import type { ModelCard } from './card.ts';
import { type ConvInputs, Z_WINDOW, buildInputs, buildTargets, withSelection } from './inputs.ts';
import { measureSparsity } from './prune.ts';
import { DEFAULT_TRAIN, type TrainOptions, type TrainResult, trainConvNet } from './train.ts';

export interface PreparedPanel {
  readonly set: FeatureSet;
  readonly run: SelectionRun;
  readonly inputs: ConvInputs;
}

/**
 * Prepared panels by panel object, funding array and resolved selector config: the learned expert and the router
 * read the same features of the same panel, so a backtest computes them once. Panels are treated as immutable
 * once prepared (a live panel that grows is a new object).
 */
const cache = new WeakMap<BarPanel, Map<string, { funding: Float64Array | undefined; prepared: PreparedPanel }>>();

/** Features, selections and z-scored inputs of a panel (what both training and inference need); cached per panel. */
export function preparePanel(panel: BarPanel, funding: Float64Array | undefined, selector: SelectorConfigInput, onProgress?: (stage: string, done: number, total: number) => void): PreparedPanel {
  const key = JSON.stringify(selectorConfig(selector));
  const byConfig = cache.get(panel) ?? new Map<string, { funding: Float64Array | undefined; prepared: PreparedPanel }>();
  const hit = byConfig.get(key);
  if (hit !== undefined && hit.funding === funding) return hit.prepared;
  // the features do not depend on the selector: reuse them from any config of the same panel and funding
  const sameData = [...byConfig.values()].find((v) => v.funding === funding);
  onProgress?.('features', 0, 1);
  const set = sameData?.prepared.set ?? computeFeatures(funding ? { panel, funding } : { panel });
  onProgress?.('features', 1, 1);
  const run = runSelector(set, panel, selector, onProgress ? (d, n) => onProgress('selection', d, n) : undefined);
  // the z-scores do not depend on the selector either: only the masks change
  const inputs = sameData ? withSelection(sameData.prepared.inputs, run) : buildInputs(set, run);
  const prepared = { set, run, inputs };
  byConfig.set(key, { funding, prepared });
  cache.set(panel, byConfig);
  return prepared;
}

export interface TrainOnPanelOptions extends Partial<Omit<TrainOptions, 'spec' | 'rows'>> {
  readonly name: string;
  readonly source: string;
  readonly spec?: Partial<Omit<ConvNetSpec, 'features'>>;
  readonly selector?: SelectorConfigInput;
  readonly backend: string;
}

export interface TrainedOnPanel {
  readonly result: TrainResult;
  readonly card: ModelCard;
  readonly prepared: PreparedPanel;
}

export async function trainOnPanel(tf: Tf, panel: BarPanel, funding: Float64Array | undefined, opts: TrainOnPanelOptions): Promise<TrainedOnPanel> {
  const horizon = opts.horizon ?? DEFAULT_TRAIN.horizon;
  const selector: SelectorConfigInput = { ...opts.selector, horizon };
  const prepared = preparePanel(panel, funding, selector, opts.onProgress ? (stage, done, total) => opts.onProgress!({ stage, done, total, detail: '' }) : undefined);
  const spec: ConvNetSpec = { ...DEFAULT_SPEC, ...opts.spec, features: prepared.set.features.length };
  const targets = buildTargets(panel, horizon);
  const train: TrainOptions = { ...DEFAULT_TRAIN, ...opts, horizon, spec, rows: [0, panel.nTimes] };
  const iso = (t: number) => new Date(panel.ts[Math.min(Math.max(t, 0), panel.nTimes - 1)]!).toISOString();
  const result = await trainConvNet(tf, prepared.inputs, targets, train, iso);
  const cost = convNetCost(spec);
  const sparsity = measureSparsity(result.model);
  const card: ModelCard = {
    kind: 'lite_convnet',
    version: 1,
    name: opts.name,
    features: prepared.set.features.map((f) => f.name),
    spec,
    horizon,
    zWindow: Z_WINDOW,
    selector: prepared.run.config,
    signal: result.signal,
    data: { source: opts.source, timeframe: panel.timeframe, symbols: panel.symbols, from: iso(0), to: iso(panel.nTimes - 1) },
    seed: train.seed,
    training: {
      backend: opts.backend,
      folds: train.folds,
      maxEpochs: train.maxEpochs,
      samplesPerEpoch: train.samplesPerEpoch,
      batchSize: train.batchSize,
      learningRate: train.learningRate,
      seconds: result.seconds,
    },
    folds: result.folds,
    pruning: {
      targetSparsity: train.sparsity,
      measuredSparsity: sparsity.overall,
      maxProbChangeBeforeFineTune: result.pruning.maxProbChange,
      sizeCorrelationBeforeFineTune: result.pruning.sizeCorrelation,
      fineTuneEpochs: result.pruning.fineTuneEpochs,
    },
    metrics: result.metrics,
    cost: {
      params: cost.params,
      nonzeroParams: cost.params - sparsity.zeroWeights,
      flops: cost.flops,
      // zeros skip their multiply-add (a sparse kernel would; the dense tfjs ops still do them)
      sparseFlops: Math.round(cost.flops * (1 - (sparsity.zeroWeights / Math.max(1, sparsity.prunableWeights)))),
    },
  };
  return { result, card, prepared };
}
