import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { type Runtime, initRuntime } from '@arena/kernels';
import { generateSyntheticMarket } from '@arena/streams';
import type { FeatureInfo, FeatureSet } from '../featureSet.ts';
import { runSelector } from '../selector.ts';
import { DEFAULT_SPEC, buildConvNet, convNetCost } from './architecture.ts';
import { buildInputs, buildTargets } from './inputs.ts';
import { loadConvNet, saveConvNet } from './io.ts';
import { ConvNetPredictor } from './predictor.ts';
import { applyMasks, magnitudeMasks, measureSparsity } from './prune.ts';
import { DEFAULT_TRAIN, type TrainResult, sampleCells, trainConvNet } from './train.ts';
import type { ModelCard } from './card.ts';

const H = 4;
/** Stated tolerance (docs/features.md): at 50% sparsity, before fine-tuning, |p_pruned - p| <= 0.25 on validation. */
const PRUNE_PROB_TOLERANCE = 0.25;

/** A synthetic panel with 2 planted predictive features (noisy forward returns), 1 momentum and 5 noise features. */
function planted() {
  const { panel } = generateSyntheticMarket({ seed: 11, assets: 4, bars: 3000, timeframe: '1h' });
  const T = panel.nTimes;
  const A = panel.nAssets;
  const rng = new Rng(5);
  const fwd = (i: number) => {
    const t = Math.floor(i / A);
    return t + H < T ? Math.log(panel.close[i + H * A]! / panel.close[i]!) * 100 : 0;
  };
  const col = (f: (i: number) => number) => Float64Array.from({ length: T * A }, (_, i) => f(i));
  const features: FeatureInfo[] = ['sig_a', 'sig_b', 'mom', 'n1', 'n2', 'n3', 'n4', 'n5'].map((name) => ({ name, group: 'returns', window: 1, description: name }));
  const columns = [
    col((i) => fwd(i) + 0.5 * rng.normal()),
    col((i) => fwd(i) + 1.0 * rng.normal()),
    col((i) => (i >= 24 * A ? Math.log(panel.close[i]! / panel.close[i - 24 * A]!) : NaN)),
    ...[0, 1, 2, 3, 4].map(() => col(() => rng.normal())),
  ];
  const set: FeatureSet = { features, nTimes: T, nAssets: A, columns };
  const run = runSelector(set, panel, { window: 400, horizon: H, reselectEvery: 250 });
  return { panel, set, run, inputs: buildInputs(set, run), targets: buildTargets(panel, H) };
}

let rt: Runtime;
let data: ReturnType<typeof planted>;
let trained: TrainResult;
const spec = { ...DEFAULT_SPEC, window: 16, features: 8 };

beforeAll(async () => {
  rt = await initRuntime({ backend: 'wasm' });
  data = planted();
  trained = await trainConvNet(
    rt.tf,
    data.inputs,
    data.targets,
    { ...DEFAULT_TRAIN, spec, horizon: H, rows: [0, 3000], folds: 2, maxEpochs: 4, samplesPerEpoch: 4096, fineTuneEpochs: 2, sparsity: 0.5, maxValidSamples: 3000 },
    (t) => String(t),
  );
}, 120_000);

describe('LiteConvNet', () => {
  it('learns a planted signal out of sample (walk-forward folds) and reports its cost', () => {
    expect(trained.folds).toHaveLength(2);
    for (const f of trained.folds) {
      expect(f.rankIC).toBeGreaterThan(0.2);
      expect(f.hitRate).toBeGreaterThan(0.55);
      expect(f.epochs).toBeGreaterThanOrEqual(1);
    }
    expect(trained.metrics.rankIC).toBeGreaterThan(0.2);
    const cost = convNetCost(spec);
    expect(trained.model.countParams()).toBe(cost.params);
    expect(cost.flops).toBeGreaterThan(2 * cost.params);
  });

  it('training samples never reach past the end of the training rows', () => {
    const cells = sampleCells(data.inputs, data.targets, [0, 2000], H, spec.window);
    const A = data.inputs.nAssets;
    for (const c of cells) expect(Math.floor(c / A) + H).toBeLessThan(2000);
  });

  it('pruning hits the target sparsity exactly per tensor, and the fine-tuned net keeps the zeros', () => {
    const s = measureSparsity(trained.model);
    for (const [name, per] of trained.pruning.masks.layers) {
      for (const m of per) {
        if (!m) continue;
        const zeros = m.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
        expect(zeros, name).toBe(Math.round(0.5 * m.length));
      }
      expect(Math.abs(s.perLayer[name]! - 0.5)).toBeLessThanOrEqual(1 / 16);
    }
    expect(Math.abs(s.overall - 0.5)).toBeLessThan(0.01);
  });

  it(`before fine-tuning, the pruned net's outputs stay within the stated tolerance (|dp| <= ${PRUNE_PROB_TOLERANCE}); sparsity 0 changes nothing`, () => {
    expect(trained.pruning.maxProbChange).toBeLessThanOrEqual(PRUNE_PROB_TOLERANCE);
    expect(trained.pruning.maxProbChange).toBeGreaterThan(0);
    const net = buildConvNet(rt.tf, spec, 3);
    const cells = sampleCells(data.inputs, data.targets, [2000, 3000], H, spec.window).subarray(0, 500);
    const before = new Float32Array(cells.length * 2);
    const after = new Float32Array(cells.length * 2);
    const pred = new ConvNetPredictor(rt.tf, net, data.inputs.nAssets);
    pred.predictCells(data.inputs, cells, before);
    applyMasks(rt.tf, net, magnitudeMasks(net, 0));
    pred.predictCells(data.inputs, cells, after);
    expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('save and load round-trip exactly (weights, outputs, card)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arena-convnet-'));
    const card = { kind: 'lite_convnet', version: 1, name: 'test', features: data.set.features.map((f) => f.name), spec, horizon: H } as unknown as ModelCard;
    await saveConvNet(rt.tf, trained.model, card, dir);
    const loaded = await loadConvNet(rt.tf, dir);
    expect(loaded.card).toEqual(card);
    const w0 = trained.model.getWeights().map((w) => Array.from(w.dataSync()));
    const w1 = loaded.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(w1).toEqual(w0);
    const cells = sampleCells(data.inputs, data.targets, [2000, 3000], H, spec.window).subarray(0, 300);
    const a = new Float32Array(cells.length * 2);
    const b = new Float32Array(cells.length * 2);
    new ConvNetPredictor(rt.tf, trained.model, data.inputs.nAssets).predictCells(data.inputs, cells, a);
    new ConvNetPredictor(rt.tf, loaded.model, data.inputs.nAssets).predictCells(data.inputs, cells, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    // a second save of the loaded model writes the same bytes
    const dir2 = mkdtempSync(join(tmpdir(), 'arena-convnet-'));
    await saveConvNet(rt.tf, loaded.model, card, dir2);
    expect(readFileSync(join(dir2, 'weights.bin')).equals(readFileSync(join(dir, 'weights.bin')))).toBe(true);
  });

  it('one step for every asset equals the batch path at that bar', () => {
    const A = data.inputs.nAssets;
    const pred = new ConvNetPredictor(rt.tf, trained.model, A);
    const t = 2500;
    const step = Array.from(pred.step(data.inputs, t));
    const batch = new Float32Array(A * 2);
    pred.predictCells(data.inputs, Int32Array.from({ length: A }, (_, a) => t * A + a), batch);
    expect(step).toEqual(Array.from(batch));
  });

  it('a missing model folder is a clear error naming the file', async () => {
    await expect(loadConvNet(rt.tf, '/nonexistent/model')).rejects.toThrow(/model\.json is missing.*arena train convnet/);
  });
});
