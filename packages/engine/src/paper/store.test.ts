import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@arena/core';
import { generateSyntheticMarket, replayPanel } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../ledger/ledger.ts';
import { daemonPipeline } from '../pipeline/build.ts';
import { runLoop } from './daemon.ts';
import { PaperMetrics } from './prometheus.ts';
import { PaperStore } from './store.ts';

const RULES = parseConfig({ experts: { weights: { trend: 0.5, breakout: 0.5 } }, router: { mode: 'static' } });

describe('PaperStore: the bars a step writes', () => {
  it('every present bar of a wide universe (300 assets, different holes at every bar), none of the absent ones, read back as written', async () => {
    const A = 300;
    const { panel } = generateSyntheticMarket({ seed: 7, assets: A, bars: 12, timeframe: '1h' });
    // holes: a different set of assets missing at each bar, and one bar where only three assets trade
    for (let t = 1; t < panel.nTimes; t++) for (let a = t; a < A; a += 7 + t) panel.present[t * A + a] = 0;
    for (let a = 3; a < A; a++) panel.present[5 * A + a] = 0;
    const ledger = Ledger.open(join(mkdtempSync(join(tmpdir(), 'arena-store-')), 'ledger.db'));
    const { run } = PaperStore.openRun(ledger, { source: 'test', symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config: RULES });
    const store = new PaperStore(ledger, run.runId);
    const pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: RULES, periodsPerYear: panel.periodsPerYear() });
    await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'test'), source: replayPanel(panel, { speed: 'max' }), stopping: () => false, log: () => undefined });
    const bars = store.bars(A);
    expect(bars.map((b) => b.ts)).toEqual(Array.from(panel.ts));
    let present = 0;
    for (let t = 0; t < panel.nTimes; t++) {
      const row = bars[t]!.row;
      for (let a = 0; a < A; a++) {
        const j = t * A + a;
        expect(row.present[a], `bar ${t}, asset ${a}`).toBe(panel.present[j]);
        if (panel.present[j] !== 1) continue;
        present++;
        expect([row.open[a], row.high[a], row.low[a], row.close[a], row.volume[a]]).toEqual([panel.open[j], panel.high[j], panel.low[j], panel.close[j], panel.volume[j]]);
      }
    }
    expect(present).toBe((ledger.db.prepare('SELECT COUNT(*) AS n FROM bars WHERE run_id = ?').get(run.runId) as { n: number }).n);
    expect(present).toBeGreaterThan(A * 10);
    ledger.close();
  });
});
