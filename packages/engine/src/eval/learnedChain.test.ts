import { describe, expect, it } from 'vitest';
import { EXPERT_NAMES, parseConfig } from '@arena/core';
import { LearnedExpert } from '@arena/experts';
import { loadConvNet } from '@arena/features';
import { initRuntime } from '@arena/kernels';
import { generateSyntheticMarket } from '@arena/streams';
import { stepPanel } from '../backtest.ts';
import { loadModels } from '../models.ts';
import { chainPoints } from './learnedChain.ts';
import { loadedModelRanges } from './overlap.ts';

const { panel } = generateSyntheticMarket({ seed: 3, assets: 3, bars: 1500, timeframe: '1h' });
const config = parseConfig({});
const L = EXPERT_NAMES.indexOf('learned');
const A = panel.nAssets;

describe('the learned expert chained per fold (eval --train)', () => {
  it('holds 0 before the first net, then each net decides from its row exactly as it would alone; stepping equals the precomputed path', async () => {
    const rt = await initRuntime({ backend: 'wasm' });
    const models = await loadModels(config, () => undefined);
    const base = models.learned!;
    // a second net of the same shape: the committed one with its weights scaled, so its outputs differ
    const other = await loadConvNet(rt.tf, base.net.dir);
    other.model.setWeights(other.model.getWeights().map((w) => w.mul(0.7)));
    const b = { ...other, card: { ...other.card, name: 'scaled' } };
    const chain = [
      { from: 700, net: base.net },
      { from: 1100, net: b },
    ];
    const learnedOf = async (m: typeof models, stepped: boolean) => (await stepPanel({ panel, config, models: m, stepped })).experts[L]!.exposure;
    const chained = await learnedOf({ ...models, learnedChain: chain }, true);
    expect(Array.from(await learnedOf({ ...models, learnedChain: chain }, false))).toEqual(Array.from(chained));
    const alone = await learnedOf(models, true);
    const aloneB = await learnedOf({ ...models, learned: new LearnedExpert(b, base.scale) }, true);
    for (let i = 0; i < 700 * A; i++) expect(chained[i]).toBe(0);
    expect(Array.from(chained.subarray(700 * A, 1100 * A))).toEqual(Array.from(alone.subarray(700 * A, 1100 * A)));
    expect(Array.from(chained.subarray(1100 * A))).toEqual(Array.from(aloneB.subarray(1100 * A)));
    // the two nets do disagree there, so the swap is seen
    expect(Array.from(aloneB.subarray(1100 * A))).not.toEqual(Array.from(alone.subarray(1100 * A)));
    // with a chain the committed convnet is not used, so eval's leak check does not list it
    expect(loadedModelRanges(models, false).map((r) => r.model)).toEqual([expect.stringMatching(/^learned expert/)]);
    expect(loadedModelRanges({ ...models, learnedChain: chain }, false)).toEqual([]);
  }, 60_000);

  it('chain points: the middle of the history before the first block, then each block start, where the bars before can train a net', () => {
    const folds: [number, number][] = [
      [3000, 4000],
      [4000, 5000],
      [5000, 6000],
    ];
    expect(chainPoints(folds, 24, 1048)).toEqual([1500, 3000, 4000, 5000]);
    expect(chainPoints(folds, 24, 1500)).toEqual([3000, 4000, 5000]);
    // a short panel: only the later blocks have the history to train a net (before them the expert holds 0)
    expect(chainPoints(folds, 24, 3970)).toEqual([4000, 5000]);
    expect(chainPoints(folds, 24, 9000)).toEqual([]);
  });
});
