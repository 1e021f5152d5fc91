/** backtest: throughput of the four rule experts + the paper-broker loop, in asset-bars per second. */
import { join } from 'node:path';
import { type BarPanel, SAMPLE_DATA_DIR, parseConfig, sharedDataDir } from '@arena/core';
import { type ExpertSeries, computeExpertsWithKernels, createExperts, runExpertBatch } from '@arena/experts';
import { initRuntime } from '@arena/kernels';
import { expertWeights, loadModels, runBacktest, simulate } from '@arena/engine';
import { generateSyntheticMarket, loadDataset } from '@arena/streams';
import { type Bench, median, sized, time } from './harness.ts';

const RUNS = sized(7, 1);

function loadPanel(): { panel: BarPanel; data: string; loadMs: number } {
  const root = sized(sharedDataDir(), undefined);
  if (root !== undefined) {
    const dir = join(root, 'crypto/binance/spot/5m');
    const [ds, loadMs] = time(() => loadDataset({ dir, timeframe: '5m' }));
    return { panel: ds.panel, data: dir, loadMs };
  }
  const [m, loadMs] = time(() => generateSyntheticMarket({ seed: 1, assets: 8, bars: sized(119_800, 3000), timeframe: '5m' }));
  return { panel: m.panel, data: 'synthetic fallback (../shared/data absent): 8 x 119,800 5m bars', loadMs };
}

/**
 * The full pipeline (learned expert, the model router, contest with its data team) as `arena backtest` runs it, on the
 * 1h crypto set (the full one when ../shared/data is there, else the committed sample), models loaded apart.
 */
async function fullPipeline(): Promise<{ data: string; assetBars: number; ms: number; assetBarsPerSec: number }> {
  const root = sized(sharedDataDir(), undefined);
  const dir = join(root ?? SAMPLE_DATA_DIR, 'crypto/binance/spot/1h');
  const ds = loadDataset({ dir, timeframe: '1h' });
  const panel = sized(ds.panel, ds.panel.slice(0, 1200));
  const config = parseConfig({ router: { mode: 'model' }, contest: { enabled: true } });
  const models = await loadModels(config, () => undefined);
  const t0 = performance.now();
  await runBacktest({ panel, config, source: dir, models, baselines: false });
  const ms = performance.now() - t0;
  const assetBars = panel.nAssets * panel.nTimes;
  return { data: `${panel.nAssets} x ${panel.nTimes} 1h bars${root === undefined ? ' (the data/ sample)' : ''}`, assetBars, ms, assetBarsPerSec: assetBars / (ms / 1000) };
}

export const backtestBench: Bench = {
  name: 'backtest',
  description: 'four rule experts + portfolio + paper broker (fees, slippage, volume cap) on the 8-symbol 5m set',
  async run() {
    const { panel, data, loadMs } = loadPanel();
    const config = parseConfig({ broker: { feeBps: 10 } });
    // the same run with every protective exit armed (docs/orders.md): ATR stop and target, a trailing stop, a time stop
    const withStops = parseConfig({ broker: { feeBps: 10 }, exits: { stopLossAtr: 3, takeProfitAtr: 6, trailingStop: 0.05, trailingActivation: 0.01, timeStop: 288 } });
    const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
    const assetBars = panel.nAssets * panel.nTimes;
    const weights = expertWeights(config);
    const stageMs: Record<string, number[]> = {};
    const totals: number[] = [];
    const totalsWithStops: number[] = [];
    let fills = 0;
    let stopExits = 0;
    for (let run = 0; run <= RUNS; run++) {
      const experts = createExperts(config.experts);
      const series: ExpertSeries[] = [];
      let total = 0;
      for (const e of experts) {
        const [s, ms] = time(() => runExpertBatch(e, panel, ctx));
        series.push(s);
        total += ms;
        (stageMs[e.name] ??= []).push(ms);
      }
      const [result, loopMs] = time(() => simulate({ name: 'bench', panel, experts: series, weights, config }));
      const [stopped, stopsMs] = time(() => simulate({ name: 'bench', panel, experts: series, weights, config: withStops }));
      (stageMs['loop (portfolio + broker)'] ??= []).push(loopMs);
      (stageMs['loop with protective exits'] ??= []).push(stopsMs);
      fills = result.nFills;
      stopExits = stopped.trades.filter((t) => t.reason !== 'signal').length;
      // run 0 warms the JIT up
      if (run > 0) {
        totals.push(total + loopMs);
        totalsWithStops.push(total + stopsMs);
      } else for (const k of Object.keys(stageMs)) stageMs[k] = [];
    }
    const medianMs = median(totals);
    const assetBarsPerSec = assetBars / (medianMs / 1000);
    const assetBarsPerSecWithStops = assetBars / (median(totalsWithStops) / 1000);
    const stages = Object.fromEntries(Object.entries(stageMs).map(([k, v]) => [k, median(v)]));
    const t0 = performance.now();
    await runBacktest({ panel, config, source: data });
    const withBaselinesMs = performance.now() - t0;
    // the end-to-end effect of the tensor kernels: the four experts through the runtime (auto backend)
    const rt = await initRuntime();
    const kernelMs: number[] = [];
    let kernelPath = 'kernels';
    for (let run = 0; run <= sized(3, 1); run++) {
      const t0 = performance.now();
      const batch = await computeExpertsWithKernels(panel, config.experts, ctx, rt);
      if (!Array.isArray(batch)) {
        kernelPath = `streaming (${batch.obstacle})`;
        break;
      }
      if (run > 0) kernelMs.push(performance.now() - t0);
    }
    const pipeline = await fullPipeline();
    const expertsStreamingMs = ['trend', 'reversal', 'breakout', 'positioning'].reduce((sum, k) => sum + (stages[k] ?? 0), 0);
    const expertsKernelMs = kernelMs.length > 0 ? median(kernelMs) : NaN;
    const loopMs = stages['loop (portfolio + broker)'] ?? 0;
    return {
      rows: [
        ['data', `${panel.nAssets} x ${panel.nTimes}`, 'assets x bars'],
        ['asset-bars', assetBars.toLocaleString('en-US'), ''],
        ['load (apart)', loadMs.toFixed(0), 'ms'],
        ...Object.entries(stages).map(([k, v]) => [`  ${k}`, v.toFixed(1), 'ms (median)'] as const),
        ['backtest, median of 7', medianMs.toFixed(1), 'ms'],
        ['throughput', (assetBarsPerSec / 1e6).toFixed(2), 'M asset-bars/s'],
        ['throughput with protective exits', (assetBarsPerSecWithStops / 1e6).toFixed(2), `M asset-bars/s (${((assetBarsPerSecWithStops / assetBarsPerSec - 1) * 100).toFixed(1)}%; ${stopExits} protective exits)`],
        ['arena backtest path: pipeline + 6 baselines + audit', withBaselinesMs.toFixed(0), 'ms'],
        [`experts on kernels (${rt.info.backend})`, expertsKernelMs.toFixed(1), 'ms (median of 3)'],
        ['experts streaming (sum)', expertsStreamingMs.toFixed(1), 'ms'],
        ['throughput with kernel experts', ((assetBars / ((expertsKernelMs + loopMs) / 1000)) / 1e6).toFixed(2), 'M asset-bars/s'],
        ['fills', String(fills), ''],
        [`full pipeline (learned + model router + contest), ${pipeline.data}`, pipeline.assetBars.toLocaleString('en-US'), 'asset-bars'],
        ['full pipeline, arena backtest path', (pipeline.assetBarsPerSec / 1000).toFixed(1), 'k asset-bars/s'],
      ],
      json: {
        data,
        assets: panel.nAssets,
        bars: panel.nTimes,
        assetBars,
        loadMs,
        runs: RUNS,
        medianMs,
        assetBarsPerSec,
        assetBarsPerSecWithStops,
        withStops: { exits: withStops.exits, protectiveExits: stopExits, ratio: assetBarsPerSecWithStops / assetBarsPerSec, target: 'within 25% of assetBarsPerSec' },
        stagesMedianMs: stages,
        withBaselinesMs,
        fills,
        targetAssetBarsPerSec: 10e6,
        pipelineAssetBarsPerSec: Math.round(pipeline.assetBarsPerSec),
        pipeline: { data: pipeline.data, assetBars: pipeline.assetBars, ms: Math.round(pipeline.ms), target: 50_000 },
        kernels: { backend: rt.info.backend, path: kernelPath, expertsMs: expertsKernelMs, expertsStreamingMs, assetBarsPerSec: assetBars / ((expertsKernelMs + loopMs) / 1000) },
      },
    };
  },
};
