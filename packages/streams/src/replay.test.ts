import { describe, expect, it } from 'vitest';
import { replayPanel } from './replay.ts';
import { generateSyntheticMarket } from './synthetic.ts';

describe('replayPanel', () => {
  const { panel } = generateSyntheticMarket({ seed: 1, assets: 2, bars: 10, timeframe: '1h' });

  it('a paced replay sees a stop during the gap before a bar (5 s at --speed 0.2) and ends without handing it over', async () => {
    let stop = false;
    const bars = replayPanel(panel, { speed: 0.2, stopping: () => stop });
    const t0 = performance.now();
    setTimeout(() => (stop = true), 200);
    const first = await bars.next();
    expect(first.done).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('at --speed max it hands over every bar after `after`, in order', async () => {
    const ts: number[] = [];
    for await (const b of replayPanel(panel, { speed: 'max', after: panel.ts[3]! })) ts.push(b.ts);
    expect(ts).toEqual(Array.from(panel.ts.subarray(4)));
  });
});
