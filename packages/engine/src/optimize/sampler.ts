/**
 * Samplers of `arena optimize`, over the unit cube of the search space (space.ts). Random: uniform. TPE (the
 * tree-structured Parzen estimator of Bergstra et al. 2011, in its multivariate form, Falkner et al. 2018): after
 * `startup` random trials, the trials are split at the `gamma` quantile of their objective into good and bad, each
 * side becomes a density of product Gaussian kernels truncated to the cube (with a uniform prior), and of
 * `candidates` draws from the good density the one with the largest good/bad density ratio is taken. (The
 * independent per-dimension form did worse than random search on a smooth 3-parameter test: it chased the corners
 * and stalled; sampler tests hold the multivariate one above random.) A trial's suggestion depends only on the
 * trials before its batch and its own seed, so a resumed study, or one run on another number of workers, suggests
 * the same points.
 */
import { Rng } from '@arena/core';
import { normalCdf } from '../eval/stats.ts';

export type SamplerName = 'tpe' | 'random';
export const SAMPLERS: readonly SamplerName[] = ['tpe', 'random'];

export interface Observed {
  /** the point in [0, 1)^d */
  readonly u: readonly number[];
  /** the objective (higher is better); -Infinity: infeasible or too few trades */
  readonly value: number;
}

export interface SamplerOptions {
  readonly startup?: number;
  readonly gamma?: number;
  readonly candidates?: number;
}

/** Weight of the uniform prior in each density, in observations (Optuna's default). */
const PRIOR = 1;

/**
 * Smallest kernel bandwidth, in units of a dimension's range. With the good trials clustered, Scott's rule shrank the
 * kernels until the search stalled at its first lucky point; 0.1 keeps it moving (and the sampler tests hold it).
 */
const MIN_BANDWIDTH = 0.1;

function bandwidth(centres: readonly number[]): number {
  const n = centres.length;
  if (n < 2) return 0.25;
  const m = centres.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(centres.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1));
  return Math.min(0.5, Math.max(MIN_BANDWIDTH, 1.06 * sd * n ** -0.2));
}

/**
 * The multivariate Parzen density of a set of points: product Gaussian kernels truncated to [0, 1] (each divided by
 * its mass inside, computed once per point and dimension), per-dimension bandwidths, and a uniform prior.
 */
class Parzen {
  private readonly scale: Float64Array;

  constructor(
    private readonly pts: readonly (readonly number[])[],
    private readonly h: readonly number[],
  ) {
    const D = h.length;
    this.scale = new Float64Array(pts.length * D);
    pts.forEach((p, i) => {
      for (let d = 0; d < D; d++) this.scale[i * D + d] = 1 / (h[d]! * Math.sqrt(2 * Math.PI) * Math.max(1e-12, normalCdf((1 - p[d]!) / h[d]!) - normalCdf(-p[d]! / h[d]!)));
    });
  }

  density(x: readonly number[]): number {
    const D = this.h.length;
    let s = PRIOR;
    for (let i = 0; i < this.pts.length; i++) {
      const p = this.pts[i]!;
      let k = 1;
      for (let d = 0; d < D; d++) {
        const z = (x[d]! - p[d]!) / this.h[d]!;
        k *= this.scale[i * D + d]! * Math.exp(-0.5 * z * z);
      }
      s += k;
    }
    return s / (this.pts.length + PRIOR);
  }
}

/** The next point for trial `index` of a study seeded `seed`, given the trials so far. */
export function suggest(sampler: SamplerName, dims: number, history: readonly Observed[], seed: number, index: number, o: SamplerOptions = {}): number[] {
  const rng = new Rng((seed * 1_000_003 + index * 7919 + 17) >>> 0);
  const startup = o.startup ?? 16;
  const finite = history.filter((h) => Number.isFinite(h.value));
  if (sampler === 'random' || finite.length < startup) return Array.from({ length: dims }, () => rng.next());
  const sorted = [...history].sort((a, b) => b.value - a.value);
  const nGood = Math.max(1, Math.ceil((o.gamma ?? 0.25) * finite.length));
  const good = sorted.slice(0, nGood).map((h) => h.u);
  const bad = sorted.slice(nGood).map((h) => h.u);
  const hg = Array.from({ length: dims }, (_, d) => bandwidth(good.map((u) => u[d]!)));
  const l = new Parzen(good, hg);
  const g = new Parzen(bad, Array.from({ length: dims }, (_, d) => bandwidth(bad.map((u) => u[d]!))));
  let best: number[] = [];
  let bestScore = -Infinity;
  for (let c = 0; c < (o.candidates ?? 24); c++) {
    // a draw from the good density: its uniform prior, or around one good point
    const pick = Math.floor(rng.next() * (good.length + 1));
    const x = Array.from({ length: dims }, (_, d) => {
      if (pick === good.length) return rng.next();
      let v = good[pick]![d]! + hg[d]! * rng.normal();
      v = v < 0 ? -v : v >= 1 ? 2 - v : v; // reflect at the edges
      return Math.min(Math.max(v, 0), 1 - 1e-9);
    });
    const score = Math.log(l.density(x)) - Math.log(g.density(x));
    if (score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  return best;
}
