/**
 * The execution figures of docs/backtest.md: equal weights over the five experts (the committed learned expert
 * included) on each full data set, with the old execution (target rebalancing, the fixed band) and the defaults
 * (trading to the band's edge, the band widened by costs over volatility). Needs ../shared/data (ARENA_DATA_DIR).
 *   npx tsx bench/research/execution.ts
 */
import { BarPanel, EXPERT_NAMES, type Timeframe, parseConfig, sharedDataDir } from '@arena/core';
import { computeMetrics, loadModels, precompute, simulate } from '@arena/engine';
import { loadDataset } from '@arena/streams';

const SETS: [dir: string, timeframe: Timeframe][] = [
  ['crypto/binance/spot/1h', '1h'],
  ['crypto/binance/perp/1h', '1h'],
  ['etfs/us/1d', '1d'],
  ['futures/us/1d', '1d'],
  ['stocks/us/1d', '1d'],
];
const VARIANTS: [name: string, portfolio: Record<string, unknown>][] = [
  ['old: target, fixed band', { rebalance: 'target', costBand: 0 }],
  ['edge only', { rebalance: 'edge', costBand: 0 }],
  ['edge + cost band 1', { costBand: 1 }],
  ['edge + cost band 1.5', { costBand: 1.5 }],
  ['defaults: edge + cost band 2', {}],
  ['target, band 0.2', { rebalance: 'target', costBand: 0, noTradeBand: 0.2 }],
];
/** US stocks: the first 60 of the 505 tickers, to keep the run short */
const MAX_ASSETS = 60;

function firstAssets(panel: BarPanel, k: number): BarPanel {
  if (panel.nAssets <= k) return panel;
  const A = panel.nAssets;
  const p = new BarPanel(panel.symbols.slice(0, k), panel.timeframe, panel.ts);
  for (let t = 0; t < panel.nTimes; t++) {
    for (let a = 0; a < k; a++) {
      for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) p[f][t * k + a] = panel[f][t * A + a]!;
      p.present[t * k + a] = panel.present[t * A + a]!;
    }
  }
  return p;
}

const root = sharedDataDir();
if (root === undefined) throw new Error('needs the full data set: ../shared/data or ARENA_DATA_DIR');
const base = parseConfig({});
const models = await loadModels(base, () => undefined);
const equal = new Float64Array(EXPERT_NAMES.length).fill(1 / EXPERT_NAMES.length);
for (const [dir, timeframe] of SETS) {
  const panel = firstAssets(loadDataset({ dir: `${root}/${dir}`, timeframe }).panel, MAX_ASSETS);
  const pre = await precompute(panel, base, models, undefined);
  process.stdout.write(`\n${dir} (${panel.nAssets} x ${panel.nTimes})\n`);
  for (const [name, portfolio] of VARIANTS) {
    const config = parseConfig({ portfolio });
    const m = computeMetrics(simulate({ name, panel, experts: [...pre.experts], weights: equal, config }), panel.periodsPerYear(), config.broker.initialCash);
    process.stdout.write(`${name.padEnd(28)} Sharpe ${(m.sharpe ?? NaN).toFixed(2).padStart(6)}  return ${(m.totalReturn * 100).toFixed(1).padStart(7)}%  turnover ${m.turnover.toFixed(1).padStart(6)}x  fees ${m.feesPaid.toFixed(0).padStart(7)}  fills ${m.nFills}\n`);
  }
}
