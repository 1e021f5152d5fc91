/**
 * router: the committed multimodal router's inference cost per step (p50/p99 for 10 and 100 assets: temporal
 * vector, chart rendering, the net, softmaxes; the catalogue features and their selection are prepared before the
 * timed steps) on wasm and, where a hardware adapter exists, webgpu; batch
 * throughput in charts per second (rendering and the net separately and together); and, with ../shared/data,
 * training seconds per SFT and RL epoch on the 1h crypto set.
 */
import { join } from 'node:path';
import { type BarPanel, parseConfig, parseTimerange, sharedDataDir } from '@arena/core';
import { createExperts, resolveModelDir, runExpertBatch } from '@arena/experts';
import { type Runtime, initRuntime } from '@arena/kernels';
import { DEFAULT_TRAIN, ModelRouter, RouterStage, loadRouter, renderCharts, trainRouterOnPanel } from '@arena/router';
import { generateSyntheticMarket, loadDataset } from '@arena/streams';
import { type Bench, quantile, sized } from './harness.ts';


function market(assets: number, bars: number): { panel: BarPanel; experts: Float64Array[] } {
  const { panel } = generateSyntheticMarket({ seed: 3, assets, bars, timeframe: '1h' });
  const ctx = { nAssets: assets, periodsPerYear: panel.periodsPerYear() };
  return { panel, experts: createExperts(parseConfig({}).experts).map((e) => runExpertBatch(e, panel, ctx).exposure) };
}

/** Per-step latency: RouterStage over the last `steps` bars of a panel of A assets (after warm-up steps). */
async function stepLatency(router: ModelRouter, A: number, steps: number): Promise<{ p50: number; p99: number }> {
  const warm = 600;
  const { panel, experts } = market(A, warm + steps);
  const features = router.prepare(panel);
  const stage = new RouterStage(router, A, panel.timeframe);
  const E = experts.length;
  const rows = Array.from({ length: panel.nTimes }, (_, t) => Float64Array.from({ length: E * A }, (_, i) => experts[Math.floor(i / A)]![t * A + (i % A)]!));
  const F = features?.nFeatures ?? 0;
  const ms: number[] = [];
  for (let t = 0; t < panel.nTimes; t++) {
    const sel = features?.at[t] ?? -1;
    const t0 = performance.now();
    await stage.step(panel, t, t > 0 ? rows[t - 1] : undefined, rows[t]!, features?.z.subarray(t * A * F, (t + 1) * A * F), sel < 0 ? undefined : features!.masks[sel]);
    if (t >= warm) ms.push(performance.now() - t0);
  }
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99) };
}

async function onBackend(backend: 'wasm' | 'webgpu'): Promise<{ rt: Runtime; router: ModelRouter } | string> {
  try {
    const rt = await initRuntime({ backend, allowSoftwareGpu: false });
    if (rt.info.backend !== backend) return `${backend} unavailable (got ${rt.info.backend})`;
    const loaded = await loadRouter(rt.tf, resolveModelDir('models/router/default'));
    return { rt, router: new ModelRouter(rt, loaded, 1, 24) };
  } catch (e) {
    return `${backend} unavailable: ${(e as Error).message.split('\n')[0]}`;
  }
}

export const routerBench: Bench = {
  name: 'router',
  description: 'router inference per step (10, 100 assets), batch charts/s, training seconds per epoch (1h crypto)',
  async run() {
    const rows: [string, string, string][] = [];
    const json: Record<string, unknown> = {};
    const wasm = await onBackend('wasm');
    if (typeof wasm === 'string') throw new Error(wasm);
    for (const A of [10, 100]) {
      const s = await stepLatency(wasm.router, A, sized(A === 10 ? 400 : 150, 20));
      json[`stepP50Ms${A}`] = s.p50;
      json[`stepP99Ms${A}`] = s.p99;
      rows.push([`step, ${A} assets, wasm: p50`, s.p50.toFixed(2), 'ms'], [`step, ${A} assets, wasm: p99`, s.p99.toFixed(2), 'ms']);
    }
    // batch: rendering alone, the whole routing (temporal + rendering + net) over a 10 x 3000 panel
    const { panel, experts } = market(10, sized(3000, 400));
    const chart = wasm.router.loaded.card.spec.chart;
    const ends = Array.from({ length: sized(512, 32) }, (_, i) => 100 + i);
    let t0 = performance.now();
    renderCharts(panel, ends, chart);
    const renderPerSec = (ends.length * panel.nAssets) / ((performance.now() - t0) / 1000);
    const features = wasm.router.prepare(panel);
    t0 = performance.now();
    await wasm.router.routeWith(panel, experts, features);
    const charts = (panel.nTimes - chart.window + 1) * panel.nAssets;
    const chartsPerSec = charts / ((performance.now() - t0) / 1000);
    json['chartsPerSec'] = chartsPerSec;
    json['renderChartsPerSec'] = renderPerSec;
    rows.push(['batch routing (render + net + temporal; catalogue features prepared before), wasm', chartsPerSec.toFixed(0), 'charts/s'], ['chart rendering alone (CPU)', renderPerSec.toFixed(0), 'charts/s']);
    // webgpu only on a hardware adapter: the software adapter is a correctness path, not a speed one
    const gpu = process.env['ARENA_BENCH_WEBGPU'] === '0' || sized(false, true) ? 'webgpu skipped (ARENA_BENCH_WEBGPU=0 or --quick)' : await onBackend('webgpu');
    if (typeof gpu === 'string') {
      json['webgpu'] = gpu;
      rows.push(['webgpu', gpu.slice(0, 60), '']);
    } else {
      for (const A of [10, 100]) {
        const s = await stepLatency(gpu.router, A, 150);
        json[`webgpuStepP99Ms${A}`] = s.p99;
        rows.push([`step, ${A} assets, webgpu: p99`, s.p99.toFixed(2), 'ms']);
      }
      await gpu.rt.tf.setBackend('wasm');
    }
    // training time per epoch on the 1h crypto set
    const shared = sized(sharedDataDir(), undefined);
    if (shared === undefined) {
      json['training'] = 'skipped: ../shared/data not found';
      rows.push(['training per epoch', 'skipped', 'no ../shared/data']);
    } else {
      const ds = loadDataset({ dir: join(shared, 'crypto/binance/spot'), timeframe: '1h', timerange: parseTimerange('20240914-20250901') });
      const p = ds.panel;
      const ctx = { nAssets: p.nAssets, periodsPerYear: p.periodsPerYear() };
      const ex = createExperts(parseConfig({}).experts).map((e) => runExpertBatch(e, p, ctx).exposure);
      await wasm.rt.tf.setBackend('wasm');
      const trained = await trainRouterOnPanel(wasm.rt.tf, p, ex, {
        name: 'bench',
        source: 'crypto spot 1h',
        backend: 'wasm',
        train: { ...DEFAULT_TRAIN, sft: { ...DEFAULT_TRAIN.sft, epochs: 1 }, rl: { ...DEFAULT_TRAIN.rl, epochs: 1 } },
      });
      const c = trained.card;
      json['training'] = { assets: p.nAssets, bars: p.nTimes, samples: trained.dataset.n, samplesPerEpoch: c.train.samplesPerEpoch, sftEpochSeconds: c.training.sftSeconds, rlEpochSeconds: c.training.rlSeconds, totalSeconds: c.training.seconds };
      rows.push(['SFT epoch, 1h crypto (16k samples)', c.training.sftSeconds.toFixed(1), 's'], ['RL epoch, 1h crypto (16k states x 8)', c.training.rlSeconds.toFixed(1), 's'], ['dataset + features + both epochs', c.training.seconds.toFixed(1), 's']);
    }
    return { rows, json };
  },
};
