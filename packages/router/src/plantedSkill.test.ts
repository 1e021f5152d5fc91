/**
 * Planted skill: on a synthetic market, one expert is given real skill in one generated regime only (it calls the
 * next 6 bars' direction right 3 times in 4 while the asset is in `range`, and is a random +-0.8 position held 6 bars
 * elsewhere, which loses its costs). A router trained by SFT then RL must find it: most of the weight on that expert
 * in that regime, much less outside it, a net reward out of sample above equal weights', and RL must add to
 * what SFT found on the bars it learns from. The weights and the comparison with equal weights are scored on the
 * test split, which training never saw.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPERT_NAMES, REGIMES, Rng, parseConfig } from '@arena/core';
import { createExperts, runExpertBatch } from '@arena/experts';
import { type Runtime, initRuntime } from '@arena/kernels';
import { generateSyntheticMarket } from '@arena/streams';
import { N_EXPERTS, N_REGIMES } from './decision.ts';
import { softmaxInto } from './policy.ts';
import { DEFAULT_TRAIN, policyMetrics, predictSamples } from './train.ts';
import { type TrainedRouter, trainRouterOnPanel } from './trainOnPanel.ts';

const market = generateSyntheticMarket({ seed: 7, assets: 4, bars: 4000, timeframe: '1h' });
const { panel } = market;
const A = panel.nAssets;
const T = panel.nTimes;
const PLANTED = EXPERT_NAMES.indexOf('learned');
const REGIME = REGIMES.indexOf('range');
const HOLD = 6;

/** The planted expert: skill inside REGIME only, decided every HOLD bars and held. */
function plantedExpert(): Float64Array {
  const rng = new Rng(99);
  const x = new Float64Array(T * A);
  for (let a = 0; a < A; a++) {
    for (let t = 0; t < T; t++) {
      const c = t * A + a;
      const inRegime = market.regimes[c] === REGIME;
      const hold = t % HOLD !== 0 && t > 0 && (market.regimes[c - A] === REGIME) === inRegime;
      if (hold) x[c] = x[c - A]!;
      else if (inRegime && t + HOLD < T) {
        const up = panel.close[(t + HOLD) * A + a]! > panel.close[c]!;
        x[c] = (up === rng.next() < 0.75 ? 1 : -1) * 0.8;
      } else x[c] = rng.next() < 0.5 ? 0.8 : -0.8;
    }
  }
  return x;
}

const config = parseConfig({});
const ctx = { nAssets: A, periodsPerYear: panel.periodsPerYear() };
const experts = createExperts(config.experts).map((e) => runExpertBatch(e, panel, ctx).exposure);
experts[PLANTED] = plantedExpert();
const TRAIN = { ...DEFAULT_TRAIN, samplesPerEpoch: 2048, sft: { ...DEFAULT_TRAIN.sft, epochs: 5, patience: 5 }, rl: { ...DEFAULT_TRAIN.rl, epochs: 2 } };

let rt: Runtime;
let sftOnly: TrainedRouter;
let full: TrainedRouter;

/** On a split (default the test one): mean weights per expert inside and outside REGIME, and the policy's reward metrics. */
async function onSplit(tr: TrainedRouter, split: 'train' | 'test' = 'test') {
  const { dataset: ds, splits } = tr;
  const idx = splits[split];
  const out = await predictSamples(rt.tf, tr.model, ds, idx);
  const W = N_REGIMES + N_EXPERTS;
  const w = new Float64Array(N_EXPERTS);
  const inside = new Float64Array(N_EXPERTS);
  const outside = new Float64Array(N_EXPERTS);
  let nIn = 0;
  for (let i = 0; i < idx.length; i++) {
    softmaxInto(out, i * W + N_REGIMES, N_EXPERTS, 1, w, 0);
    const into = ds.regime[idx[i]!] === REGIME ? inside : outside;
    if (into === inside) nIn++;
    for (let e = 0; e < N_EXPERTS; e++) into[e]! += w[e]!;
  }
  for (let e = 0; e < N_EXPERTS; e++) {
    inside[e]! /= nIn;
    outside[e]! /= idx.length - nIn;
  }
  return { inside, outside, nIn, policy: policyMetrics(out, ds, idx, N_REGIMES, N_EXPERTS, 0), equal: tr.card.metrics.test.equalWeight };
}

beforeAll(async () => {
  rt = await initRuntime({ backend: 'wasm' });
  const opts = { name: 'planted', source: 'synthetic seed=7, planted skill', backend: 'wasm', regimeTruth: market.regimes, useFeatures: false };
  // SFT is deterministic for a seed: the SFT-only router is the full one's starting point
  sftOnly = await trainRouterOnPanel(rt.tf, panel, experts, { ...opts, train: { ...TRAIN, rl: { ...TRAIN.rl, epochs: 0 } } });
  full = await trainRouterOnPanel(rt.tf, panel, experts, { ...opts, train: TRAIN });
}, 180_000);

describe('planted skill', () => {
  it('the planted expert earns in its regime and loses outside it (the market is what the test says)', () => {
    const h = full.dataset.hindsight;
    let gin = 0;
    let gout = 0;
    let nin = 0;
    let nout = 0;
    for (let c = 0; c < T * A; c++) {
      if (h.valid[c] !== 1) continue;
      const g = h.gain[c * N_EXPERTS + PLANTED]! - h.turnover[c * N_EXPERTS + PLANTED]!;
      if (market.regimes[c] === REGIME) (gin += g), nin++;
      else (gout += g), nout++;
    }
    expect(gin / nin).toBeGreaterThan(0.1);
    expect(gout / nout).toBeLessThan(-0.1);
  });

  it('SFT + RL puts most weight on the planted expert in its regime, much less outside, and beats equal weights after costs', async () => {
    const r = await onSplit(full);
    expect(r.nIn).toBeGreaterThan(100);
    // measured: 0.53 inside (the other experts 0.07-0.21), 0.28 outside; the forward SFT target: 0.52 and 0.37
    expect(r.inside[PLANTED]).toBeGreaterThan(0.5);
    for (let e = 0; e < N_EXPERTS; e++) if (e !== PLANTED) expect(r.inside[e]).toBeLessThan(r.inside[PLANTED]! / 2);
    expect(r.outside[PLANTED]).toBeLessThan(0.6 * r.inside[PLANTED]!);
    // net reward (costs in) per decision above equal weights' (measured -0.018 vs -0.047: every expert but the
    // planted one loses its costs on this market), and so its Sharpe (-0.07 vs -0.25)
    expect(r.policy.meanReward).toBeGreaterThan(r.equal.meanReward);
    expect(r.policy.sharpe).toBeGreaterThan(r.equal.sharpe);
  });

  it('RL raises the reward over SFT on the bars it trains on and on validation', async () => {
    // SFT alone was the starting point: the same validation score as the full run's SFT stage
    expect(sftOnly.card.metrics.sft.validSharpe).toBe(full.card.metrics.sft.validSharpe);
    expect(full.card.metrics.rl.bestEpoch).toBeGreaterThan(0);
    expect(full.card.metrics.rl.validSharpe).toBeGreaterThan(full.card.metrics.sft.validSharpe);
    const [s, f] = [await onSplit(sftOnly, 'train'), await onSplit(full, 'train')];
    expect(f.policy.meanReward).toBeGreaterThan(s.policy.meanReward);
    expect(f.inside[PLANTED]).toBeGreaterThan(s.inside[PLANTED]!);
    // out of sample RL's gain is within noise here (test split: -0.0183 after RL, -0.0175 SFT alone); not asserted
  });
});
