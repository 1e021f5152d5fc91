/**
 * optimize: trials per second of `arena optimize` on the 1h crypto set (10 symbols, 12,584 bars), the speed-up of
 * its worker threads over one, and the wall time of the study (200 trials per fold, 4 folds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BarPanel, parseConfig, sharedDataDir } from '@arena/core';
import { Ledger, optimize, searchSpace } from '@arena/engine';
import { generateSyntheticMarket, loadDataset } from '@arena/streams';
import { type Bench, sized } from './harness.ts';

function market(): { panel: BarPanel; data: string } {
  const root = sized(sharedDataDir(), undefined);
  if (root !== undefined) {
    const dir = join(root, 'crypto/binance/spot/1h');
    return { panel: loadDataset({ dir, timeframe: '1h' }).panel, data: dir };
  }
  return { panel: generateSyntheticMarket({ seed: 1, assets: 4, bars: 2000, timeframe: '1h' }).panel, data: 'synthetic: 4 x 2,000 1h bars' };
}

export const optimizeBench: Bench = {
  name: 'optimize',
  description: 'arena optimize: trials/s on 1 and 2 worker threads, and a 200-trial x 4-fold walk-forward study, on the 1h crypto set',
  async run() {
    const { panel, data } = market();
    const config = parseConfig({});
    const dims = searchSpace(config, []);
    const dir = mkdtempSync(join(tmpdir(), 'arena-bench-opt-'));
    const study = async (workers: number, trials: number, folds: number) => {
      const ledger = Ledger.open(join(dir, `w${workers}-t${trials}-f${folds}.db`));
      const t0 = performance.now();
      const r = await optimize({ panel, source: data, config, user: [], dims, objective: 'sharpe', minTrades: 10, trials, folds, sampler: 'tpe', seed: 1, workers, ledger });
      ledger.close();
      return { ...r, wallSeconds: (performance.now() - t0) / 1000 };
    };
    try {
      const one = await study(1, sized(100, 16), 2);
      const two = await study(2, sized(100, 16), 2);
      const full = await study(2, sized(200, 16), sized(4, 2));
      const speedup = two.trialsPerSec / one.trialsPerSec;
      return {
        rows: [
          ['data', `${panel.nAssets} x ${panel.nTimes} ${panel.timeframe} bars`, ''],
          ['parameters searched', String(dims.length), ''],
          ['1 worker', one.trialsPerSec.toFixed(1), 'trials/s'],
          ['2 workers', two.trialsPerSec.toFixed(1), 'trials/s'],
          ['speed-up of 2 workers', speedup.toFixed(2), 'x'],
          [`study: ${full.folds.length} folds x ${full.trials.length / full.folds.length} trials (+ out-of-sample scoring)`, full.wallSeconds.toFixed(1), 's'],
        ],
        json: {
          data,
          assets: panel.nAssets,
          bars: panel.nTimes,
          parameters: dims.length,
          trialsPerSec: two.trialsPerSec,
          trialsPerSecOneWorker: one.trialsPerSec,
          workerSpeedup: speedup,
          study: { folds: full.folds.length, trialsPerFold: full.trials.length / full.folds.length, trials: full.trials.length, wallSeconds: full.wallSeconds, trialsPerSec: full.trialsPerSec, walkForward: full.walkForward.comparison },
          targetSeconds: 600,
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
