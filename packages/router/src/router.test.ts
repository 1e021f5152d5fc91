import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BarPanel, EXPERT_NAMES, REGIMES, parseConfig } from '@arena/core';
import { createExperts, runExpertBatch } from '@arena/experts';
import { type Runtime, initRuntime, pixelOrder } from '@arena/kernels';
import { generateSyntheticMarket } from '@arena/streams';
import { N_EXPERTS, N_REGIMES } from './decision.ts';
import { createRouter } from './factory.ts';
import { loadRouter, saveRouter } from './io.ts';
import { routerInference } from './model.ts';
import { DEFAULT_LABELS, hindsight, reward } from './labels.ts';
import { PATCHES } from './spec.ts';
import { type TrainedRouter, trainRouterOnPanel } from './trainOnPanel.ts';
import { meanPolicyKl } from './policy.ts';
import { EqualRouter, ModelRouter, RouterStage } from './router.ts';
import { buildTemporal, temporalNames } from './temporal.ts';
import { DEFAULT_TRAIN, evaluatePolicy, predictSamples, rewardSharpe, sftLoss } from './train.ts';

const market = generateSyntheticMarket({ seed: 5, assets: 4, bars: 4000, timeframe: '1h' });
const panel = market.panel;
const config = parseConfig({});
const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
const experts = createExperts(config.experts).map((e) => runExpertBatch(e, panel, ctx).exposure);

let rt: Runtime;
let trained: TrainedRouter;
let lossBefore: number;
let fixedSet: Int32Array;
const TRAIN = { ...DEFAULT_TRAIN, samplesPerEpoch: 2048, sft: { ...DEFAULT_TRAIN.sft, epochs: 5, patience: 5 }, rl: { ...DEFAULT_TRAIN.rl, epochs: 2 } };

beforeAll(async () => {
  rt = await initRuntime({ backend: 'wasm' });
  // the untrained net's SFT loss on a fixed set: the same seed builds the same initial weights
  const untrained = await trainRouterOnPanel(rt.tf, panel, experts, {
    name: 'untrained',
    source: 'synthetic seed=5',
    backend: 'wasm',
    regimeTruth: market.regimes,
    useFeatures: false,
    train: { ...TRAIN, sft: { ...TRAIN.sft, epochs: 0 }, rl: { ...TRAIN.rl, epochs: 0 } },
  });
  fixedSet = untrained.splits.train.subarray(0, 1024);
  lossBefore = await sftLoss(rt.tf, untrained.model, untrained.dataset, fixedSet, 1);
  trained = await trainRouterOnPanel(rt.tf, panel, experts, {
    name: 'test',
    source: 'synthetic seed=5',
    backend: 'wasm',
    regimeTruth: market.regimes,
    useFeatures: false,
    train: TRAIN,
  });
}, 180_000);

describe('router training', () => {
  it('SFT reduces the loss on a fixed synthetic set', async () => {
    const after = await sftLoss(rt.tf, trained.model, trained.dataset, fixedSet, 1);
    expect(after).toBeLessThan(lossBefore * 0.8);
  });

  it('classifies the synthetic regimes out of sample well above chance and above the majority class', async () => {
    const { dataset: ds, splits } = trained;
    const acc = (await evaluatePolicy(rt.tf, trained.model, ds, splits.test, N_REGIMES, N_EXPERTS)).regimeAccuracy;
    const counts = new Array<number>(N_REGIMES).fill(0);
    for (const s of splits.test) counts[ds.regime[s]!]!++;
    const majority = Math.max(...counts) / splits.test.length;
    expect(acc).toBeGreaterThan(0.45); // chance is 0.25
    expect(acc).toBeGreaterThan(majority + 0.05);
    expect(trained.card.metrics.test.router.regimeAccuracy).toBeCloseTo(acc, 10);
  });

  it('RL stays within the KL bound of the SFT policy', async () => {
    const { card, monitor, sftLogits } = trained;
    const out = await predictSamples(rt.tf, trained.model, trained.dataset, monitor);
    const logits = new Float32Array(monitor.length * N_EXPERTS);
    for (let i = 0; i < monitor.length; i++) logits.set(out.subarray(i * (N_REGIMES + N_EXPERTS) + N_REGIMES, (i + 1) * (N_REGIMES + N_EXPERTS)), i * N_EXPERTS);
    const kl = meanPolicyKl(logits, sftLogits, monitor.length, N_EXPERTS, card.train.rl.sigma);
    expect(kl).toBeLessThanOrEqual(card.train.rl.klBound);
    expect(kl).toBeCloseTo(card.metrics.rl.klToSft, 6);
    if (card.metrics.rl.bestEpoch > 0) expect(kl).toBeGreaterThan(0);
    // RL did run (an epoch over the bound is undone, so every kept one is within it by construction)
    expect(card.epochs.some((x) => x.stage === 'rl')).toBe(true);
  });

  it('labels over each asset\'s own bars across calendar gaps, and refuses a panel too sparse for any label (ARENA_E_ROUTER_SAMPLES)', async () => {
    // every asset misses one bar in ten (holidays, other sessions): the labels skip those rows
    const holidays = panel.slice(0, 1200);
    for (let t = 0; t < holidays.nTimes; t++) for (let a = 0; a < holidays.nAssets; a++) if ((t + a) % 10 === 0) holidays.present[t * holidays.nAssets + a] = 0;
    const h = hindsight(holidays, experts.map((x) => x.subarray(0, 1200 * panel.nAssets)), DEFAULT_LABELS);
    let labelled = 0;
    for (const v of h.valid) labelled += v;
    expect(labelled / h.valid.length).toBeGreaterThan(0.8);
    for (let c = 0; c < h.valid.length; c++) if (h.valid[c] === 1) expect(holidays.present[c]).toBe(1);
    // present one bar in three: 24 bars of an asset span 72 rows, more than twice the horizon, so nothing is labelled
    const gappy = panel.slice(0, 1200);
    for (let t = 0; t < gappy.nTimes; t++) for (let a = 0; a < gappy.nAssets; a++) if ((t + a) % 3 !== 0) gappy.present[t * gappy.nAssets + a] = 0;
    const ex = experts.map((x) => x.subarray(0, 1200 * panel.nAssets));
    await expect(trainRouterOnPanel(rt.tf, gappy, ex, { name: 'gappy', source: 'synthetic', backend: 'wasm', useFeatures: false, train: TRAIN })).rejects.toThrow(
      /ARENA_E_ROUTER_SAMPLES.*0 training and 0 validation samples.*next 24 bars of its asset within twice as many rows, and 0\.0% of the \(bar, asset\) cells/,
    );
  });

  it('a saved router loads and gives identical outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arena-router-'));
    await saveRouter(rt.tf, trained.model, trained.card, dir);
    const loaded = await loadRouter(rt.tf, dir);
    const idx = trained.splits.test.subarray(0, 200);
    expect(Array.from(await predictSamples(rt.tf, loaded.model, trained.dataset, idx))).toEqual(Array.from(await predictSamples(rt.tf, trained.model, trained.dataset, idx)));
    expect(loaded.card).toEqual(JSON.parse(JSON.stringify(trained.card)));
    const again = mkdtempSync(join(tmpdir(), 'arena-router-'));
    await saveRouter(rt.tf, loaded.model, loaded.card, again);
    expect(readFileSync(join(again, 'weights.bin')).equals(readFileSync(join(dir, 'weights.bin')))).toBe(true);
  });

  it('the inference forward pass (its layers\' ops on their weights, the charts\' pixels tiled) gives the layers\' outputs on the row-major charts bit for bit: the trained net and the committed one', async () => {
    const { tf } = rt;
    const committed = await loadRouter(tf, join(import.meta.dirname, '../../../models/router/default'));
    for (const { model, card } of [trained, committed]) {
      const forward = routerInference(tf, model, card.spec);
      const S = card.spec.chart.size;
      for (const n of [1, 3, 70]) {
        const images = new Float32Array(n * S * S * 3);
        const temporal = new Float32Array(n * card.spec.temporal);
        for (let i = 0; i < images.length; i++) images[i] = ((i * 7919) % 101) / 100;
        for (let i = 0; i < temporal.length; i++) temporal[i] = Math.sin(i * 0.37) * 2;
        // the inference pass reads the same pixels tiled by the patch sizes (renderNetCharts)
        const order = pixelOrder(S, S, PATCHES);
        const tiled = new Float32Array(images.length);
        for (let k = 0; k < n; k++) {
          for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) tiled[(k * S * S + order[p]!) * 3 + c] = images[(k * S * S + p) * 3 + c]!;
        }
        const [a, b] = tf.tidy(() => {
          const x = tf.tensor4d(images, [n, S, S, 3]);
          const z = tf.tensor2d(temporal, [n, card.spec.temporal]);
          return [forward(tf.tensor2d(tiled, [n, S * S * 3]), z).dataSync(), (model.apply([x, z], { training: false }) as typeof x).dataSync()];
        });
        expect(a.length).toBe(n * (card.spec.regimes + card.spec.experts));
        expect(() => tf.tidy(() => forward(tf.tensor4d(images, [n, S, S, 3]), tf.tensor2d(temporal, [n, card.spec.temporal])))).toThrow(`reads tiled charts [n, ${S * S * 3}] (renderNetCharts), it was given [${n}, ${S}, ${S}, 3]`);
        expect(Array.from(a)).toEqual(Array.from(b));
      }
    }
  });

  it('batch routing equals stepping bar by bar (every bar, and every 3 bars staggered), and weights and regimes are distributions', async () => {
    const small = panel.slice(0, 300);
    const A = small.nAssets;
    const ex = experts.map((x) => x.subarray(0, 300 * A));
    const rowOf = (t: number) => Float64Array.from({ length: N_EXPERTS * A }, (_, i) => ex[Math.floor(i / A)]![t * A + (i % A)]!);
    let batch!: Awaited<ReturnType<ModelRouter['routeWith']>>;
    for (const every of [1, 3]) {
      const router = new ModelRouter(rt, { model: trained.model, card: { ...trained.card, shrink: { lambda: 0, grid: [] } }, dir: '(memory)' }, 1, 6, every);
      batch = await router.routeWith(small, ex, undefined);
      const stage = new RouterStage(router, A, small.timeframe);
      let maxDiff = 0;
      let routed = 0;
      for (let t = 0; t < small.nTimes; t++) {
        await stage.step(small, t, t > 0 ? rowOf(t - 1) : undefined, rowOf(t), undefined, undefined);
        for (let i = 0; i < A * N_EXPERTS; i++) maxDiff = Math.max(maxDiff, Math.abs(stage.weights[i]! - batch.weights[t * A * N_EXPERTS + i]!));
        for (let i = 0; i < A * N_REGIMES; i++) maxDiff = Math.max(maxDiff, Math.abs(stage.regime[i]! - batch.regime[t * A * N_REGIMES + i]!));
        if (t > 0 && batch.regime[t * A * N_REGIMES] !== batch.regime[(t - 1) * A * N_REGIMES]) routed++;
      }
      expect(maxDiff, `every ${every}`).toBe(0);
      // asset 0's regime changes only at the bars it is routed
      if (every === 3) expect(routed).toBeLessThanOrEqual(Math.ceil(300 / 3));
    }
    for (let c = 0; c < small.nTimes * small.nAssets; c++) {
      let sw = 0;
      for (let e = 0; e < N_EXPERTS; e++) sw += batch.weights[c * N_EXPERTS + e]!;
      expect(Math.abs(sw - 1)).toBeLessThan(1e-5);
    }
    // before a full chart window: equal weights
    expect(batch.weights[0]).toBeCloseTo(1 / N_EXPERTS, 6);
    // later the model decides: weights differ across cells
    const late = batch.weights.subarray(200 * small.nAssets * N_EXPERTS);
    expect(Math.max(...late) - Math.min(...late)).toBeGreaterThan(0.01);
  });

  it('shrinks towards equal weights by the validation-best grid value; 1 is equal weights, 0.5 halfway', async () => {
    const shrink = trained.card.shrink!;
    expect(shrink.grid.map((g) => g.lambda)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // chosen by the excess over equal weights (the default), which is 0 at lambda 1
    expect(shrink.by).toBe('excess');
    expect(shrink.grid[4]!.validExcessSharpe).toBe(0);
    const score = (g: (typeof shrink.grid)[number]) => g.validExcessSharpe!;
    const best = Math.max(...shrink.grid.map(score));
    expect(score(shrink.grid.find((g) => g.lambda === shrink.lambda)!)).toBeGreaterThanOrEqual(best - 1e-9);
    // ties go to the larger (safer) value
    expect(shrink.grid.filter((g) => g.lambda > shrink.lambda).every((g) => score(g) < best - 1e-9)).toBe(true);
    const small = panel.slice(0, 200);
    const ex = experts.map((x) => x.subarray(0, 200 * panel.nAssets));
    const withShrink = async (lambda: number) => {
      const card = { ...trained.card, shrink: { lambda, grid: shrink.grid } };
      return (await new ModelRouter(rt, { model: trained.model, card, dir: '(memory)' }, 1).routeWith(small, ex, undefined)).weights;
    };
    const [w0, w5, w1] = [await withShrink(0), await withShrink(0.5), await withShrink(1)];
    for (let i = 0; i < w0.length; i++) {
      expect(w1[i]).toBeCloseTo(1 / N_EXPERTS, 6);
      expect(w5[i]).toBeCloseTo((w0[i]! + 1 / N_EXPERTS) / 2, 6);
    }
    expect(Math.max(...w0) - Math.min(...w0)).toBeGreaterThan(0.01);
  });

  it('the excess over equal weights: 0 for equal weights, the per-bar Sharpe of (reward - equal reward) otherwise', () => {
    const { dataset: ds, splits } = trained;
    const idx = splits.test;
    const E = N_EXPERTS;
    const equal = new Float64Array(idx.length * E).fill(1 / E);
    expect(rewardSharpe(ds, idx, equal, E).excessSharpe).toBe(0);
    // all weight on trend: the excess series by hand
    const trend = new Float64Array(idx.length * E);
    for (let i = 0; i < idx.length; i++) trend[i * E] = 1;
    const byBar = new Map<number, number[]>();
    for (let i = 0; i < idx.length; i++) {
      const c = ds.cells[idx[i]!]!;
      const d = reward(ds.hindsight, c, trend, i * E) - reward(ds.hindsight, c, equal, i * E);
      byBar.set(ds.times[idx[i]!]!, [...(byBar.get(ds.times[idx[i]!]!) ?? []), d]);
    }
    const series = [...byBar.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const m = series.reduce((a, b) => a + b, 0) / series.length;
    const sd = Math.sqrt(series.reduce((a, b) => a + (b - m) ** 2, 0) / (series.length - 1));
    expect(rewardSharpe(ds, idx, trend, E).excessSharpe).toBeCloseTo(m / sd, 9);
    expect(Math.abs(m / sd)).toBeGreaterThan(1e-3);
  });

  it('a temperature above 1 flattens the weights, below 1 sharpens them', async () => {
    const small = panel.slice(0, 200);
    const ex = experts.map((x) => x.subarray(0, 200 * panel.nAssets));
    const spread = async (temp: number) => {
      const w = (await new ModelRouter(rt, { model: trained.model, card: { ...trained.card, shrink: { lambda: 0, grid: [] } }, dir: '(memory)' }, temp).routeWith(small, ex, undefined)).weights;
      let s = 0;
      for (const v of w) s += (v - 1 / N_EXPERTS) ** 2;
      return s;
    };
    const s1 = await spread(1);
    expect(await spread(4)).toBeLessThan(s1);
    expect(await spread(0.25)).toBeGreaterThan(s1);
  });
});

describe('router inputs and labels', () => {
  it('temporal vectors are causal: changing future bars leaves past vectors unchanged', () => {
    const T = 600;
    const a = panel.slice(0, T);
    const b = panel.slice(0, T);
    for (let i = 400 * a.nAssets; i < T * a.nAssets; i++) b.close[i] = b.close[i]! * 1.5;
    const ex = experts.map((x) => x.slice(0, T * panel.nAssets));
    const xa = buildTemporal(a, ex, undefined, 0);
    const xb = buildTemporal(b, ex, undefined, 0);
    const cut = 400 * a.nAssets * xa.dim;
    expect(Array.from(xa.x.subarray(0, cut))).toEqual(Array.from(xb.x.subarray(0, cut)));
    expect(Array.from(xa.x.subarray(cut))).not.toEqual(Array.from(xb.x.subarray(cut)));
  });

  it('the experts\' performance inputs are net of their own turnover: a holder is charged nothing, a flipper its trades', () => {
    const T = 600;
    const small = panel.slice(0, T);
    const A = small.nAssets;
    const hold = new Float64Array(T * A).fill(0.5);
    const flip = Float64Array.from({ length: T * A }, (_, i) => (Math.floor(i / A) % 2 === 0 ? 0.02 : -0.02));
    const ex = [hold, flip, ...experts.slice(2).map((x) => x.slice(0, T * A))];
    const cost = 0.0012;
    const gross = buildTemporal(small, ex, undefined, 0);
    const net = buildTemporal(small, ex, undefined, 0, cost);
    const names = temporalNames(EXPERT_NAMES, []);
    const col = (name: string) => names.indexOf(name);
    const perfOf = (x: Float32Array, name: string, t: number, a: number) => x[(t * A + a) * gross.dim + col(name)]!;
    for (const t of [300, 599]) {
      for (let a = 0; a < A; a++) {
        expect(perfOf(net.x, 'perf_trend_168', t, a)).toBe(perfOf(gross.x, 'perf_trend_168', t, a));
        // trading 0.04 a bar costs 0.000048 a bar, of the order of a bar's squared return here: well below the gross score
        expect(perfOf(gross.x, 'perf_reversal_24', t, a)).toBeGreaterThan(-4);
        expect(perfOf(net.x, 'perf_reversal_24', t, a)).toBeLessThan(perfOf(gross.x, 'perf_reversal_24', t, a) - 0.1);
      }
    }
    // everything but the performance inputs is the same
    const perf = new Set(names.flatMap((n, j) => (n.startsWith('perf_') ? [j] : [])));
    for (let i = 0; i < net.x.length; i++) if (!perf.has(i % net.dim)) expect(net.x[i]).toBe(gross.x[i]);
  });

  it('hindsight labels a planted rally up, a crash down, a quiet stretch range and a storm volatile', () => {
    const T = 2000;
    const p = new BarPanel(['X/USD'], '1h', Float64Array.from({ length: T }, (_, t) => t * 3_600_000));
    let c = 100;
    let seed = 1;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
    for (let t = 0; t < T; t++) {
      const drift = t >= 1000 && t < 1100 ? 0.004 : t >= 1200 && t < 1300 ? -0.004 : 0;
      const vol = t >= 1500 && t < 1600 ? 0.03 : 0.005;
      c *= Math.exp(drift + vol * noise());
      p.open[t] = c;
      p.high[t] = c * 1.001;
      p.low[t] = c * 0.999;
      p.close[t] = c;
      p.volume[t] = 1000;
      p.present[t] = 1;
    }
    const ex = EXPERT_NAMES.map(() => new Float64Array(T).fill(1));
    const h = hindsight(p, ex, DEFAULT_LABELS);
    const at = (t: number) => REGIMES[h.regime[t]!];
    expect(at(1030)).toBe('trend_up');
    expect(at(1230)).toBe('trend_down');
    expect(at(1530)).toBe('volatile');
    expect(at(700)).toBe('range');
    // rewards are linear in the weights when the exposures agree (no entry cost difference)
    const w1 = [1, 0, 0, 0, 0];
    const w2 = [0.5, 0.5, 0, 0, 0];
    expect(reward(h, 1030, w2)).toBeCloseTo(reward(h, 1030, w1), 10);
    expect(reward(h, 1030, w1)).toBeGreaterThan(0); // long into a rally
    expect(h.regime[T - 1]).toBe(-1); // no forward window at the end
  });
});

describe('createRouter', () => {
  it('falls back to equal weights with the reason when the model is missing, and honours the other modes', async () => {
    const logs: string[] = [];
    const missing = await createRouter(parseConfig({ router: { mode: 'model', model: '/nonexistent/router' } }), { runtime: rt, log: (s) => logs.push(s) });
    expect(missing).toBeInstanceOf(EqualRouter);
    expect(missing.note).toMatch(/model\.json is missing/);
    expect(logs.join('\n')).toMatch(/equal weights/);
    const routing = await missing.route(panel, experts);
    expect(routing.weights.every((v) => Math.abs(v - 0.2) < 1e-7)).toBe(true);
    // the default: equal weights, the strategy the out-of-sample evidence supports (docs/research.md)
    const byDefault = await createRouter(parseConfig({}));
    expect(byDefault.source).toBe('equal');
    expect(byDefault.note).toBe('equal weights (router.mode = equal)');
    const fixed = await createRouter(parseConfig({ router: { mode: 'static' }, experts: { weights: { trend: 3, reversal: 1 } } }));
    const r = await fixed.route(panel, experts);
    expect(Array.from(r.weights.subarray(0, 5)).map((v) => Number(v.toFixed(4)))).toEqual([0.75, 0.25, 0, 0, 0]);
    // vlm mode without ARENA_VLM_URL: the local router, with a logged reason
    const vlmLogs: string[] = [];
    const local = await createRouter(parseConfig({ router: { mode: 'vlm', model: '/nonexistent/router' } }), { runtime: rt, env: {}, log: (s) => vlmLogs.push(s) });
    expect(local.source).toBe('equal');
    expect(vlmLogs.join('\n')).toMatch(/ARENA_VLM_URL is not set/);
  });
});
