/** The features stage bar by bar: selector streams against the batch selector, a worker against inline selections. */
import { afterAll, describe, expect, it } from 'vitest';
import { generateSyntheticMarket } from '@arena/streams';
import { computeFeatures, panelBar } from '../catalogue.ts';
import { runSelector } from '../selector.ts';
import { OnlineFeatures } from './onlineFeatures.ts';
import { WorkerSelection } from './selectionWorker.ts';

const { panel } = generateSyntheticMarket({ seed: 21, assets: 4, bars: 2600, timeframe: '1h' });
const selector = { window: 300, reselectEvery: 120, drift: { recent: 60, every: 4, threshold: 0.6 } };
const worker = new WorkerSelection();
afterAll(() => worker.close());

describe('OnlineFeatures', () => {
  it("decides the batch selector's selections at the same bars, each taking over at the next bar", () => {
    const batch = runSelector(computeFeatures({ panel }), panel, selector);
    const online = new OnlineFeatures(panel.symbols, panel.timeframe, { hasFunding: false, keep: 24, selectors: { s: selector } });
    for (let t = 0; t < panel.nTimes; t++) online.pushSync(panelBar({ panel }, t));
    const stream = online.selector('s').history;
    expect(stream.length).toBeGreaterThan(10);
    expect(stream.some((s) => s.reason === 'drift')).toBe(true);
    // the stream's last decision may still be pending at the end
    expect(batch.history.length - stream.length).toBeLessThanOrEqual(1);
    stream.forEach((s, i) => {
      const b = batch.history[i]!;
      expect([s.t, s.reason, s.indices, s.weights]).toEqual([b.t, b.reason, b.indices, b.weights]);
      expect(s.from).toBe(s.t + 1);
    });
  });

  it('selects in a worker exactly what it selects inline, and the stream awaits a pending selection at the takeover bar', async () => {
    const inline = new OnlineFeatures(panel.symbols, panel.timeframe, { hasFunding: false, keep: 24, selectors: { s: selector } });
    const threaded = new OnlineFeatures(panel.symbols, panel.timeframe, { hasFunding: false, keep: 24, selectors: { s: selector }, runner: worker });
    for (let t = 0; t < 1200; t++) {
      inline.pushSync(panelBar({ panel }, t));
      await threaded.push(panelBar({ panel }, t));
      expect(threaded.selection('s')?.indices).toEqual(inline.selection('s')?.indices);
    }
    expect(threaded.selector('s').history.map((s) => [s.t, s.from, s.weights])).toEqual(inline.selector('s').history.map((s) => [s.t, s.from, s.weights]));
    expect(inline.selector('s').history.length).toBeGreaterThan(3);
  });
});
