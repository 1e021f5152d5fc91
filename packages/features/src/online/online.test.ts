/** The features stage bar by bar: selector streams against the batch selector, a worker against inline selections. */
import { afterAll, describe, expect, it } from 'vitest';
import { generateSyntheticMarket } from '@arena/streams';
import { computeFeatures, panelBar } from '../catalogue.ts';
import { runSelector } from '../selector.ts';
import { FeatureWindow, SliceBuffer } from './featureWindow.ts';
import { OnlineFeatures } from './onlineFeatures.ts';
import { WorkerSelection } from './selectionWorker.ts';

const { panel } = generateSyntheticMarket({ seed: 21, assets: 4, bars: 2600, timeframe: '1h' });
const selector = { window: 300, reselectEvery: 120, drift: { recent: 60, every: 4, threshold: 0.6 } };
const worker = new WorkerSelection();
afterAll(() => worker.close());

describe('FeatureWindow', () => {
  it('slices the bars it holds, across the ring wrap, as they were pushed; `only` copies just those columns', () => {
    const info = [0, 1, 2].map((i) => ({ name: `f${i}` })) as never;
    const A = 2;
    const w = new FeatureWindow(info, ['A', 'B'], '1h', 7);
    const value = (t: number, f: number, a: number) => t * 100 + f * 10 + a;
    for (let t = 0; t < 19; t++) {
      const row = new Float64Array(3 * A).map((_, i) => value(t, Math.floor(i / A), i % A));
      w.push(1_700_000_000_000 + t * 3_600_000, row, [t, -t], [1, t % 2]);
    }
    const s = w.slice(13, 18, new Set([0, 2]));
    expect(s.base).toBe(13);
    expect(s.set.columns[1]!.length).toBe(0);
    for (let t = 13; t <= 18; t++) {
      for (const f of [0, 2]) for (let a = 0; a < A; a++) expect(s.set.columns[f]![(t - 13) * A + a]).toBe(value(t, f, a));
      expect([s.panel.close[(t - 13) * A], s.panel.close[(t - 13) * A + 1], s.panel.present[(t - 13) * A + 1]]).toEqual([t, -t, t % 2]);
      expect(s.panel.ts[t - 13]).toBe(1_700_000_000_000 + t * 3_600_000);
    }
    expect(() => w.slice(11, 18)).toThrow(/not all in the window/);
    // into a reused buffer (shared memory for a worker): the same values, on that buffer, overwritten by the next slice
    const buffer = new SliceBuffer(true);
    const a = w.slice(13, 18, undefined, buffer);
    expect(a.set.columns[2]!.buffer).toBeInstanceOf(SharedArrayBuffer);
    for (let t = 13; t <= 18; t++) for (let f = 0; f < 3; f++) expect(a.set.columns[f]![(t - 13) * A + 1]).toBe(value(t, f, 1));
    const b = w.slice(16, 18, undefined, buffer);
    expect(b.set.columns[0]!.buffer).toBe(a.set.columns[0]!.buffer);
    expect(a.set.columns[0]![0]).toBe(value(16, 0, 0));
  });
});

describe('OnlineFeatures', () => {
  it("decides the batch selector's selections at the same bars, each taking over at the next bar", () => {
    // a second selector with the same window, horizon and sample cap shares the window statistics where both decide
    const other = { ...selector, clusters: 3, topK: 4 };
    const set = computeFeatures({ panel });
    const online = new OnlineFeatures(panel.symbols, panel.timeframe, { hasFunding: false, keep: 24, selectors: { s: selector, o: other } });
    for (let t = 0; t < panel.nTimes; t++) online.pushSync(panelBar({ panel }, t));
    for (const [name, config] of [['s', selector], ['o', other]] as const) {
      const batch = runSelector(set, panel, config);
      const stream = online.selector(name).history;
      expect(stream.length).toBeGreaterThan(10);
      expect(stream.some((s) => s.reason === 'drift')).toBe(true);
      // the stream's last decision may still be pending at the end
      expect(batch.history.length - stream.length).toBeLessThanOrEqual(1);
      stream.forEach((s, i) => {
        const b = batch.history[i]!;
        expect([s.t, s.reason, s.indices, s.weights, s.clusters]).toEqual([b.t, b.reason, b.indices, b.weights, b.clusters]);
        expect(s.from).toBe(s.t + 1);
      });
    }
    // the two differ (else sharing would prove nothing) and decided together at least once
    const [s, o] = [online.selector('s').history, online.selector('o').history];
    expect(s.map((x) => x.indices)).not.toEqual(o.map((x) => x.indices));
    expect(s.some((x) => o.some((y) => y.t === x.t))).toBe(true);
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
