/**
 * features: the LiteConvNet out of sample on ../shared/data (trained on the first 70% of each dataset, tested on
 * the last 30%: rank IC, hit rate, and the backtest gain of adding the learned expert), and inference latency
 * per step (p50/p99 for 10 and 100 assets, wasm) and batch throughput.
 */
import { join } from 'node:path';
import { type ArenaConfig, type BarPanel, parseConfig, sharedDataDir } from '@arena/core';
import { LearnedExpert, createExperts, runExpertBatch, type ExpertSeries } from '@arena/experts';
import { type ConvInputs, ConvNetPredictor, DEFAULT_SPEC, buildConvNet, buildTargets, hitRate, rankIC, trainOnPanel } from '@arena/features';
import { type Runtime, initRuntime } from '@arena/kernels';
import { computeMetrics, runBacktest } from '@arena/engine';
import { Rng } from '@arena/core';
import { StaticRouter } from '@arena/router';
import { loadDataset } from '@arena/streams';
import { type Bench, sized } from './harness.ts';

interface Dataset {
  readonly name: string;
  readonly dir: string;
  readonly timeframe: '1h' | '1d';
  readonly symbols?: readonly string[];
}

const DATASETS: readonly Dataset[] = [
  { name: 'crypto-spot-1h', dir: 'crypto/binance/spot', timeframe: '1h' },
  { name: 'crypto-perp-1h', dir: 'crypto/binance/perp/1h', timeframe: '1h' },
  { name: 'etfs-1d', dir: 'etfs/us/1d', timeframe: '1d' },
  { name: 'futures-1d', dir: 'futures/us/1d', timeframe: '1d' },
];

const TRAIN_SHARE = 0.7;

function quantile(xs: Float64Array, q: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Per-step latency of the net for A assets on random inputs with 10 selected features (the net's cost does not depend on the values). */
function stepLatency(rt: Runtime, A: number, steps: number): { p50: number; p99: number; batchCellsPerSec: number } {
  const F = 50;
  const spec = { ...DEFAULT_SPEC, features: F };
  const model = buildConvNet(rt.tf, spec, 1);
  const T = spec.window + 64;
  const rng = new Rng(A);
  const z = Float32Array.from({ length: T * A * F }, () => rng.normal());
  const mask = new Float32Array(F);
  for (let f = 0; f < 10; f++) mask[f * 5] = 1;
  const inp: ConvInputs = { nTimes: T, nAssets: A, nFeatures: F, z, masks: [mask], at: new Int32Array(T).fill(0) };
  const pred = new ConvNetPredictor(rt.tf, model, A);
  for (let i = 0; i < 50; i++) pred.step(inp, T - 1 - (i % 64));
  const ms = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    pred.step(inp, T - 1 - (i % 64));
    ms[i] = performance.now() - t0;
  }
  const cells = Int32Array.from({ length: 64 * A }, (_, i) => (spec.window - 1) * A + i);
  const out = new Float32Array(cells.length * 2);
  pred.predictCells(inp, cells, out);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 2000) {
    pred.predictCells(inp, cells, out);
    n += cells.length;
  }
  model.dispose();
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), batchCellsPerSec: n / ((performance.now() - t0) / 1000) };
}

interface Oos {
  dataset: string;
  assets: number;
  bars: number;
  trainTo: string;
  oosRankIC: number;
  oosHitRate: number;
  validRankIC: number;
  sharpeWithout: number;
  sharpeWith: number;
  returnWithout: number;
  returnWith: number;
  trainSeconds: number;
}

async function outOfSample(rt: Runtime, ds: Dataset, panel: BarPanel, funding: Float64Array | undefined): Promise<Oos> {
  const split = Math.floor(panel.nTimes * TRAIN_SHARE);
  const train = panel.slice(0, split);
  const trainFunding = funding?.slice(0, split * panel.nAssets);
  const trained = await trainOnPanel(rt.tf, train, trainFunding, { name: ds.name, source: ds.dir, backend: rt.info.backend });
  const card = trained.card;
  const net = { model: trained.result.model, card, dir: '(in memory)' };
  // the learned expert over the whole panel: its selections and z-scores only ever look back
  const learned = new LearnedExpert(net, 2, funding);
  const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
  const learnedSeries = runExpertBatch(learned, panel, ctx);
  // out-of-sample IC and hit rate of the raw signal on the test rows
  const targets = buildTargets(panel, card.horizon);
  const A = panel.nAssets;
  const sig: number[] = [];
  const fwd: number[] = [];
  for (let t = split; t < panel.nTimes; t++) {
    for (let a = 0; a < A; a++) {
      const f = targets.fwd[t * A + a]!;
      const e = learnedSeries.exposure[t * A + a]!;
      if (f === f && panel.present[t * A + a] === 1 && e !== 0) (sig.push(e), fwd.push(f));
    }
  }
  const s = Float64Array.from(sig);
  const f = Float64Array.from(fwd);
  // backtest gain on the test rows: rule experts alone vs rule experts + learned
  const test = panel.slice(split, panel.nTimes);
  const rules = createExperts(parseConfig({}).experts).slice(0, 4).map((e) => runExpertBatch(e, panel, ctx));
  const cut = (x: ExpertSeries): ExpertSeries => ({ name: x.name, exposure: x.exposure.slice(split * A), confidence: x.confidence.slice(split * A) });
  const experts = [...rules, learnedSeries].map(cut);
  const backtest = (config: ArenaConfig) => runBacktest({ panel: test, config, source: ds.dir, precomputed: { experts, routing: new StaticRouter(config.experts.weights).routeSync(test), selections: [] }, baselines: false });
  const without = await backtest(parseConfig({ experts: { weights: { trend: 0.25, reversal: 0.25, breakout: 0.25, positioning: 0.25, learned: 0 } } }));
  const withL = await backtest(parseConfig({}));
  const mWithout = computeMetrics(without.main, without.periodsPerYear, without.initialCash);
  const mWith = computeMetrics(withL.main, withL.periodsPerYear, withL.initialCash);
  return {
    dataset: ds.name,
    assets: A,
    bars: panel.nTimes,
    trainTo: new Date(panel.ts[split - 1]!).toISOString().slice(0, 10),
    oosRankIC: rankIC(s, f, s.length),
    oosHitRate: hitRate(s, f, s.length),
    validRankIC: card.metrics.rankIC,
    sharpeWithout: mWithout.sharpe ?? 0,
    sharpeWith: mWith.sharpe ?? 0,
    returnWithout: mWithout.totalReturn,
    returnWith: mWith.totalReturn,
    trainSeconds: card.training.seconds,
  };
}

export const featuresBench: Bench = {
  name: 'features',
  description: 'LiteConvNet out of sample per dataset (IC, hit rate, backtest gain) and per-step inference latency on wasm',
  async run() {
    const rt = await initRuntime({ backend: 'wasm' });
    const rows: [string, string, string][] = [];
    const lat10 = stepLatency(rt, 10, sized(2000, 100));
    const lat100 = stepLatency(rt, 100, sized(1000, 50));
    rows.push(['convnet step p50 / p99, 10 assets', `${lat10.p50.toFixed(3)} / ${lat10.p99.toFixed(3)}`, 'ms (wasm; aim p99 < 1 ms)']);
    rows.push(['convnet step p50 / p99, 100 assets', `${lat100.p50.toFixed(3)} / ${lat100.p99.toFixed(3)}`, 'ms (wasm)']);
    rows.push(['convnet batch throughput', (lat100.batchCellsPerSec / 1000).toFixed(1), 'k asset-bars/s (predictCells, 32 cells per call on wasm)']);
    const oosRankIC: Record<string, number> = {};
    const oos: Oos[] = [];
    const root = sized(sharedDataDir(), undefined);
    if (root === undefined) {
      rows.push(['out of sample', 'skipped', '../shared/data absent']);
    } else {
      for (const ds of DATASETS) {
        process.stderr.write(`  ${ds.name}: training on the first ${TRAIN_SHARE * 100}%...\n`);
        const loaded = loadDataset({ dir: join(root, ds.dir), timeframe: ds.timeframe });
        const r = await outOfSample(rt, ds, loaded.panel, loaded.funding);
        oos.push(r);
        oosRankIC[ds.name] = r.oosRankIC;
        rows.push([`${ds.name} OOS rank IC / hit`, `${r.oosRankIC.toFixed(4)} / ${(r.oosHitRate * 100).toFixed(1)}%`, `test after ${r.trainTo}; ${r.assets} x ${r.bars} bars`]);
        rows.push([`${ds.name} Sharpe without / with learned`, `${r.sharpeWithout.toFixed(2)} / ${r.sharpeWith.toFixed(2)}`, `return ${(r.returnWithout * 100).toFixed(1)}% / ${(r.returnWith * 100).toFixed(1)}%`]);
      }
    }
    return {
      rows,
      json: {
        convnetP50Ms10: lat10.p50,
        convnetP99Ms10: lat10.p99,
        convnetP50Ms100: lat100.p50,
        convnetP99Ms100: lat100.p99,
        convnetBatchCellsPerSec: lat100.batchCellsPerSec,
        backend: rt.info.backend,
        oosRankIC,
        oos,
      },
    };
  },
};
