import type { ContestRun, WindowFrame } from '@arena/contest';
import { describe, expect, it } from 'vitest';
import { validateScores, windowRankIcs } from './scoreValidation.ts';

const N = 6;
const W = 10;
const T = 200;

/** A run of 20 windows of 10 bars; window k predicts `predict(k)` and realises `realise(k)`. */
function run(predict: (k: number) => number[], realise: (k: number) => number[], ready = (_k: number) => true): ContestRun {
  const ts = Float64Array.from({ length: T }, (_, t) => 1_700_000_000_000 + t * 3_600_000);
  const frames: WindowFrame[] = Array.from({ length: T / W }, (_, k) => ({
    ts: ts[(k + 1) * W - 1]!,
    index: k + 1,
    ready: ready(k),
    pairs: 100,
    realized: Float64Array.from(realise(k)),
    predicted: Float64Array.from(predict(k)),
    adopted: [],
    weights: new Float64Array(N),
    cash: true,
    onBenchmark: false,
    recordT: NaN,
    withheld: false,
  }));
  return { agents: Array.from({ length: N }, () => ({}) as ContestRun['agents'][number]), exposure: new Float64Array(T), proposals: new Float32Array(0), barRewards: new Float64Array(0), frames, cashBars: 0, benchmarkBars: 0, benchmark: -1, ts, cost: 0, slot: 1 };
}

const up = () => [1, 2, 3, 4, 5, 6];
const down = () => [6, 5, 4, 3, 2, 1];

describe('validateScores: the rank IC of the score model\'s predictions against the next window', () => {
  it('is 1 when the predicted order holds in the next window and -1 when it reverses, windows placed by their end bar', () => {
    const ics = windowRankIcs(run(up, up));
    expect(ics).toHaveLength(T / W - 1);
    expect(ics.every((w) => w.rankIc === 1)).toBe(true);
    // window k's prediction is judged by window k + 1, which ends at bar (k + 2) * 10 - 1
    expect(ics[0]!.endBar).toBe(19);
    expect(windowRankIcs(run(up, down)).every((w) => w.rankIc === -1)).toBe(true);
  });

  it('splits the windows by fold, skips windows without a prediction, and gives a 90% interval from their spread', () => {
    // predictions agree with the next window in the first half of the run and disagree in the second
    const r = run(up, (k) => (k < 10 ? up() : down()), (k) => k !== 3);
    const v = validateScores(r, [[100, 150], [150, 200]]);
    expect(v.map((x) => x.fold)).toEqual([0, 1, -1]);
    expect(v[0]!.meanRankIc).toBe(-1); // windows ending at 109..149 realise `down`
    expect(v[0]!.windows).toBe(5);
    expect(v[2]!.windows).toBe(10);
    const early = validateScores(r, [[0, 100]]);
    // windows ending 19..99: 9 windows, minus the one whose prediction was not ready (k = 3, judged at bar 49)
    expect(early[0]!.windows).toBe(8);
    expect(early[0]!.meanRankIc).toBe(1);
    const mixed = validateScores(r, [[50, 150]])[0]!;
    expect(mixed.meanRankIc!).toBeGreaterThan(-1);
    expect(mixed.meanRankIc!).toBeLessThan(1);
    expect(mixed.ciLow!).toBeLessThan(mixed.meanRankIc!);
    expect(mixed.ciHigh!).toBeGreaterThan(mixed.meanRankIc!);
    expect(mixed.positiveShare).toBeCloseTo(0.5, 10);
  });

  it('reports nothing (nulls) for a fold without judged windows, and NaN predictions are left out', () => {
    const nan = run(() => [NaN, NaN, NaN, NaN, NaN, NaN], up);
    expect(validateScores(nan, [[0, 200]])[0]).toEqual({ fold: 0, windows: 0, meanRankIc: null, ciLow: null, ciHigh: null, positiveShare: null });
  });
});
