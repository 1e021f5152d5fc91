import { generateSyntheticMarket } from '@arena/streams';
import { describe, expect, it } from 'vitest';
import { SelectionsAhead } from './selectionsAhead.ts';
import { FeatureWindow } from './featureWindow.ts';
import { selectorConfig } from '../selectorConfig.ts';
import { FeatureStream, panelBar } from '../catalogue.ts';

describe('SelectionsAhead', () => {
  const { panel } = generateSyntheticMarket({ seed: 5, assets: 2, bars: 300, timeframe: '1h' });
  const bars = { symbols: panel.symbols, timeframe: panel.timeframe, ts: panel.ts, open: panel.open, high: panel.high, low: panel.low, close: panel.close, volume: panel.volume, present: panel.present };
  const input = { window: 100, horizon: 4, drift: { recent: 50 } };
  const config = selectorConfig(input);
  const request = (t: number) => {
    const stream = new FeatureStream(panel.symbols, { hasFunding: false });
    const window = new FeatureWindow(stream.features, panel.symbols, panel.timeframe, 200);
    // the request's window copy (the worker cuts its own; this one is not read)
    const bar = panelBar({ panel }, 0);
    window.push(bar.ts, stream.push(bar), bar.close, bar.present);
    return { t, reason: 'initial' as const, detail: '', slice: window.slice(0, 0), config };
  };

  it('hands over the selection the worker made at that bar, and refuses one it never made once it is done', async () => {
    const ahead = new SelectionsAhead({ bars, selectors: { learned: input } });
    expect(() => ahead.run(request(103))).toThrow(/before start/);
    ahead.start();
    try {
      // the first full window ends at bar window + horizon - 1
      const first = await ahead.run(request(103));
      expect(first.selection.t).toBe(103);
      expect(first.selection.samples).toBeGreaterThan(100);
      expect(first.selection.scores.length).toBeGreaterThan(10);
      await expect(Promise.resolve(ahead.run(request(104)))).rejects.toThrow(/made no selection at bar 104|ended its 300 bars without/);
    } finally {
      await ahead.close();
    }
  }, 30_000);

  it('a failure in the worker reaches the loop as an error naming it, not a hang', async () => {
    // a selector the worker's features stage refuses (window below 20)
    const ahead = new SelectionsAhead({ bars, selectors: { learned: { window: 5 } } });
    ahead.start();
    try {
      await expect(Promise.resolve(ahead.run(request(103)))).rejects.toThrow(/selections ahead failed in their worker: .*features\.window must be an integer >= 20/s);
    } finally {
      await ahead.close();
    }
  }, 30_000);
});
