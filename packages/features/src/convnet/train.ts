/**
 * Walk-forward training of the LiteConvNet with early stopping, then magnitude pruning and fine-tuning.
 * The sample cells are split in time into folds + 1 blocks; fold k trains on blocks < k (purged of the last
 * `horizon` bars, whose forward returns reach into the validation block) and validates on block k. The last
 * fold's net is the model; it is pruned to the target sparsity and fine-tuned with the masks held.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { ERR, Rng, arenaError } from '@arena/core';
import type { Tf } from '@arena/kernels';
import { type ConvNetSpec, buildConvNet } from './architecture.ts';
import type { FoldMetrics } from './card.ts';
import { type ConvInputs, type Targets, writeSample } from './inputs.ts';
import { hitRate, rankIC } from './signalScores.ts';
import { pearson } from '../stats/predictive.ts';
import { ConvNetPredictor, type SignalScale, combineSignal } from './predictor.ts';
import { type PruneMasks, applyMasks, magnitudeMasks } from './prune.ts';

export interface TrainOptions {
  readonly spec: ConvNetSpec;
  readonly horizon: number;
  /** rows [from, to) of the panel the model may learn from; targets never reach past `to` */
  readonly rows: readonly [number, number];
  readonly folds: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly batchSize: number;
  readonly samplesPerEpoch: number;
  readonly learningRate: number;
  /** weight of the size (Huber) loss against the sign (cross-entropy) loss */
  readonly sizeWeight: number;
  readonly sparsity: number;
  readonly fineTuneEpochs: number;
  /** validation cells evaluated per epoch (a fixed evenly spaced subset) */
  readonly maxValidSamples: number;
  readonly seed: number;
  readonly onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  readonly stage: string;
  /** units of work done and in all (batches), for the bar and the ETA */
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

export const DEFAULT_TRAIN: Omit<TrainOptions, 'spec' | 'rows'> = {
  horizon: 4,
  folds: 3,
  maxEpochs: 12,
  patience: 3,
  batchSize: 256,
  samplesPerEpoch: 8192,
  learningRate: 2e-3,
  sizeWeight: 0.5,
  sparsity: 0.5,
  fineTuneEpochs: 4,
  maxValidSamples: 6000,
  seed: 1,
};

export interface TrainResult {
  readonly model: LayersModel;
  readonly folds: readonly FoldMetrics[];
  readonly signal: SignalScale;
  readonly pruning: { masks: PruneMasks; maxProbChange: number; sizeCorrelation: number; fineTuneEpochs: number };
  readonly metrics: { rankIC: number; hitRate: number; samples: number };
  readonly seconds: number;
}

/** Cells (t * A + a) inside rows with a selection in effect and a known target whose horizon ends before `to`. */
export function sampleCells(inp: ConvInputs, targets: Targets, rows: readonly [number, number], horizon: number, window: number): Int32Array {
  const A = inp.nAssets;
  const out: number[] = [];
  for (let t = Math.max(rows[0], window - 1); t + horizon < rows[1]; t++) {
    const s = inp.at[t]!;
    if (s < 0 || !inp.masks[s]!.some((v) => v > 0)) continue;
    for (let a = 0; a < A; a++) if (targets.up[t * A + a] === targets.up[t * A + a]) out.push(t * A + a);
  }
  return Int32Array.from(out);
}

function lossFn(tf: Tf, sizeWeight: number) {
  return (yTrue: Tensor, yPred: Tensor): Tensor =>
    tf.tidy(() => {
      const logit = yPred.slice([0, 0], [-1, 1]);
      const size = yPred.slice([0, 1], [-1, 1]);
      const up = yTrue.slice([0, 0], [-1, 1]);
      const target = yTrue.slice([0, 1], [-1, 1]);
      return tf.losses.sigmoidCrossEntropy(up, logit).add(tf.losses.huberLoss(target, size).mul(sizeWeight));
    });
}

interface Evaluation {
  loss: number;
  rankIC: number;
  hitRate: number;
  signal: SignalScale;
  logits: Float32Array;
}

function evaluate(tf: Tf, model: LayersModel, inp: ConvInputs, targets: Targets, cells: Int32Array, sizeWeight: number, scale?: SignalScale): Evaluation {
  const pred = new ConvNetPredictor(tf, model, inp.nAssets);
  const out = new Float32Array(cells.length * 2);
  pred.predictCells(inp, cells, out);
  const n = cells.length;
  let loss = 0;
  let sp = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const c = cells[i]!;
    const logit = out[2 * i]!;
    const size = out[2 * i + 1]!;
    const up = targets.up[c]!;
    const y = targets.size[c]!;
    // sigmoid cross-entropy and Huber (delta 1), as in training
    loss += Math.max(logit, 0) - logit * up + Math.log1p(Math.exp(-Math.abs(logit)));
    const d = Math.abs(size - y);
    loss += sizeWeight * (d <= 1 ? 0.5 * d * d : d - 0.5);
    const p = 1 / (1 + Math.exp(-logit));
    sp += (2 * p - 1) ** 2;
    ss += size * size;
  }
  const signal = scale ?? { probStd: Math.sqrt(sp / n) || 1, sizeStd: Math.sqrt(ss / n) || 1 };
  const sig = new Float64Array(n);
  const fwd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    sig[i] = combineSignal(out[2 * i]!, out[2 * i + 1]!, signal);
    fwd[i] = targets.fwd[cells[i]!]!;
  }
  return { loss: loss / n, rankIC: rankIC(sig, fwd, n), hitRate: hitRate(sig, fwd, n), signal, logits: out };
}

/** Evenly spaced subset of at most max cells. */
/** At most `max` of the cells, evenly spaced (in order). */
export function spaced(cells: Int32Array, max: number): Int32Array {
  if (cells.length <= max) return cells;
  const out = new Int32Array(max);
  for (let i = 0; i < max; i++) out[i] = cells[Math.floor((i * cells.length) / max)]!;
  return out;
}

interface FitState {
  done: number;
  readonly total: number;
}

/** Trains with early stopping on the validation loss; restores the best weights. Masks, when given, are held. */
async function fit(
  tf: Tf,
  model: LayersModel,
  inp: ConvInputs,
  targets: Targets,
  train: Int32Array,
  valid: Int32Array,
  opts: TrainOptions,
  epochs: number,
  rng: Rng,
  stage: string,
  state: FitState,
  masks?: PruneMasks,
): Promise<{ epochs: number; bestLoss: number }> {
  const { batchSize: B, spec } = opts;
  const W = spec.window;
  const F = spec.features;
  const per = W * F;
  const xb = new Float32Array(B * per);
  const yb = new Float32Array(B * 2);
  const batches = Math.max(1, Math.floor(Math.min(opts.samplesPerEpoch, train.length) / B));
  let best = Infinity;
  let bestWeights: Tensor[] | undefined;
  let stale = 0;
  let ran = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    ran = epoch + 1;
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < B; i++) {
        const c = train[rng.int(train.length)]!;
        writeSample(inp, W, Math.floor(c / inp.nAssets), c % inp.nAssets, xb, i * per);
        yb[2 * i] = targets.up[c]!;
        yb[2 * i + 1] = targets.size[c]!;
      }
      const x = tf.tensor3d(xb, [B, W, F]);
      const y = tf.tensor2d(yb, [B, 2]);
      await model.trainOnBatch(x, y);
      x.dispose();
      y.dispose();
      if (masks) applyMasks(tf, model, masks);
      state.done++;
      opts.onProgress?.({ stage, done: state.done, total: state.total, detail: `epoch ${epoch + 1}/${epochs}` });
    }
    const ev = evaluate(tf, model, inp, targets, valid, opts.sizeWeight);
    opts.onProgress?.({ stage, done: state.done, total: state.total, detail: `epoch ${epoch + 1}: valid loss ${ev.loss.toFixed(4)} IC ${ev.rankIC.toFixed(3)}` });
    if (ev.loss < best - 1e-5) {
      best = ev.loss;
      bestWeights?.forEach((w) => w.dispose());
      bestWeights = model.getWeights().map((w) => w.clone());
      stale = 0;
    } else if (++stale >= opts.patience) {
      state.done += (epochs - epoch - 1) * batches; // skipped epochs count as done for the ETA
      break;
    }
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    bestWeights.forEach((w) => w.dispose());
  }
  return { epochs: ran, bestLoss: best };
}

/** fewer sample cells than this: the convnet is not trained (ARENA_E_CONVNET_SAMPLES) */
export const MIN_TRAIN_SAMPLES = 1000;

export async function trainConvNet(tf: Tf, inp: ConvInputs, targets: Targets, opts: TrainOptions, isoOf: (t: number) => string): Promise<TrainResult> {
  const t0 = performance.now();
  const { spec, horizon } = opts;
  const cells = sampleCells(inp, targets, opts.rows, horizon, spec.window);
  const A = inp.nAssets;
  if (cells.length < MIN_TRAIN_SAMPLES) throw arenaError(ERR.CONVNET_SAMPLES, cells.length, `${isoOf(opts.rows[0])}..${isoOf(opts.rows[1] - 1)}`, MIN_TRAIN_SAMPLES);
  const tFirst = Math.floor(cells[0]! / A);
  const tLast = Math.floor(cells[cells.length - 1]! / A);
  const blocks = opts.folds + 1;
  const edge = (k: number) => tFirst + Math.round(((tLast + 1 - tFirst) * k) / blocks);
  const rowOf = (c: number) => Math.floor(c / A);
  const perEpoch = Math.max(1, Math.floor(opts.samplesPerEpoch / opts.batchSize));
  const state: FitState = { done: 0, total: perEpoch * (opts.folds * opts.maxEpochs + opts.fineTuneEpochs) };
  const rng = new Rng(opts.seed);
  const folds: FoldMetrics[] = [];
  let model: LayersModel | undefined;
  let lastValid: Int32Array = new Int32Array(0);
  let lastTrain: Int32Array = new Int32Array(0);
  let lastEval: ReturnType<typeof evaluate> | undefined;
  for (let k = 1; k <= opts.folds; k++) {
    const vFrom = edge(k);
    const vTo = edge(k + 1);
    const train = cells.filter((c) => rowOf(c) + horizon < vFrom);
    const valid = spaced(
      cells.filter((c) => rowOf(c) >= vFrom && rowOf(c) < vTo),
      opts.maxValidSamples,
    );
    // too few for one of its own walk-forward folds: the same refusal as too few in all (a chain skips the net)
    if (train.length < 500) throw arenaError(ERR.CONVNET_SAMPLES, train.length, `fold ${k}/${opts.folds}'s training bars (before ${isoOf(vFrom)})`, 500);
    if (valid.length < 100) throw arenaError(ERR.CONVNET_SAMPLES, valid.length, `fold ${k}/${opts.folds}'s validation bars (${isoOf(vFrom)}..${isoOf(vTo - 1)})`, 100);
    model?.dispose();
    model = buildConvNet(tf, spec, opts.seed + k);
    model.compile({ optimizer: tf.train.adam(opts.learningRate), loss: lossFn(tf, opts.sizeWeight) });
    const r = await fit(tf, model, inp, targets, train, valid, opts, opts.maxEpochs, rng.fork(k), `fold ${k}/${opts.folds}`, state);
    const ev = evaluate(tf, model, inp, targets, valid, opts.sizeWeight);
    lastEval = ev;
    folds.push({
      fold: k,
      trainSamples: train.length,
      validSamples: valid.length,
      validFrom: isoOf(vFrom),
      validTo: isoOf(vTo - 1),
      epochs: r.epochs,
      bestValLoss: r.bestLoss,
      rankIC: ev.rankIC,
      hitRate: ev.hitRate,
    });
    lastValid = valid;
    lastTrain = train;
  }
  const net = model!;
  // the last fold's evaluation: the same net, weights and cells
  const before = lastEval!;
  const masks = magnitudeMasks(net, opts.sparsity);
  applyMasks(tf, net, masks);
  const pruned = evaluate(tf, net, inp, targets, lastValid, opts.sizeWeight, before.signal);
  let maxProbChange = 0;
  const sa = new Float64Array(lastValid.length);
  const sb = new Float64Array(lastValid.length);
  for (let i = 0; i < lastValid.length; i++) {
    const p0 = 1 / (1 + Math.exp(-before.logits[2 * i]!));
    const p1 = 1 / (1 + Math.exp(-pruned.logits[2 * i]!));
    maxProbChange = Math.max(maxProbChange, Math.abs(p1 - p0));
    sa[i] = before.logits[2 * i + 1]!;
    sb[i] = pruned.logits[2 * i + 1]!;
  }
  const sizeCorrelation = pearson(sa, sb, lastValid.length);
  let fineTuneEpochs = 0;
  if (opts.fineTuneEpochs > 0 && opts.sparsity > 0) {
    const r = await fit(tf, net, inp, targets, lastTrain, lastValid, opts, opts.fineTuneEpochs, rng.fork(99), 'fine-tune', state, masks);
    fineTuneEpochs = r.epochs;
    applyMasks(tf, net, masks);
  }
  state.done = state.total;
  const final = evaluate(tf, net, inp, targets, lastValid, opts.sizeWeight);
  opts.onProgress?.({ stage: 'done', done: state.total, total: state.total, detail: `valid IC ${final.rankIC.toFixed(3)} hit ${(final.hitRate * 100).toFixed(1)}%` });
  return {
    model: net,
    folds,
    signal: final.signal,
    pruning: { masks, maxProbChange, sizeCorrelation, fineTuneEpochs },
    metrics: { rankIC: final.rankIC, hitRate: final.hitRate, samples: lastValid.length },
    seconds: (performance.now() - t0) / 1000,
  };
}
