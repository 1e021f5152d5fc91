import { generateSyntheticMarket, loadDataset } from '@arena/streams';
import { computeFeatures, runSelector } from './index.ts';
const panels = {
  synth: generateSyntheticMarket({ seed: 42, assets: 6, bars: 6000, timeframe: '1h' }).panel,
  crypto3: loadDataset({ dir: '../shared/data/crypto/binance/spot', timeframe: '1h', symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] }).panel,
  crypto10: loadDataset({ dir: '../shared/data/crypto/binance/spot', timeframe: '1h' }).panel,
};
for (const [name, panel] of Object.entries(panels)) {
  const set = computeFeatures({ panel });
  for (const threshold of [0.5, 1.0]) {
    const t0 = performance.now();
    const run = runSelector(set, panel, { drift: { threshold } });
    const by: Record<string, number> = {};
    for (const s of run.history) by[s.reason] = (by[s.reason] ?? 0) + 1;
    console.log(name, threshold, (performance.now() - t0).toFixed(0), 'ms', JSON.stringify(by));
  }
}
