/**
 * A Bollinger mean-reversion expert, written against the expert SDK as a user would (docs/experts.md, "Write your own
 * expert"): it leans against closes that stretch beyond `entryZ` standard deviations of their `window`-bar mean,
 * fully at `fullZ`, and lets go once the close is back within `exitZ`.
 */
import type { ExpertSpec } from '@arena/experts';

type Params = { window: number; entryZ: number; fullZ: number; exitZ: number };
/** per asset: the last `window` closes in a ring, their running sum and sum of squares, and the position held */
type State = { ring: Float64Array; n: number; sum: number; sumSq: number; held: number };

const spec: ExpertSpec<Params, State> = {
  params: {
    window: { default: 20, min: 5, max: 200, int: true },
    entryZ: { default: 2, min: 0.5, max: 4 },
    fullZ: { default: 3, min: 1, max: 6 },
    exitZ: { default: 0.5, min: 0, max: 2 },
  },
  warmup: (p) => p.window,
  init: (p) => ({ ring: new Float64Array(p.window), n: 0, sum: 0, sumSq: 0, held: 0 }),
  step(s, bar, p) {
    const i = s.n % p.window;
    const old = s.ring[i]!;
    if (s.n >= p.window) {
      s.sum -= old;
      s.sumSq -= old * old;
    }
    s.ring[i] = bar.close;
    s.sum += bar.close;
    s.sumSq += bar.close * bar.close;
    s.n++;
    const k = Math.min(s.n, p.window);
    const mean = s.sum / k;
    const sd = Math.sqrt(Math.max(0, s.sumSq / k - mean * mean));
    if (!(sd > 0)) return 0;
    const z = (bar.close - mean) / sd;
    const az = Math.abs(z);
    if (az >= p.entryZ) s.held = -Math.sign(z) * Math.min(1, (az - p.entryZ) / Math.max(1e-9, p.fullZ - p.entryZ) + 0.25);
    else if (az <= p.exitZ) s.held = 0;
    return { exposure: s.held, confidence: Math.min(1, az / p.fullZ) };
  },
};

export default spec;
