/**
 * Does the contest's score model know anything? At the close of each window it predicts every agent's next-window
 * Sharpe; the next window then realises one. The rank correlation of the two over the agents (rank IC) is the
 * model's skill at choosing whom to adopt: about 0 means the top k are chosen at random. Reported per eval fold,
 * over the predictions whose next window ends inside the fold's test bars, with a 90% interval from the spread of
 * the per-window values (windows do not overlap; their rank ICs are treated as independent).
 */
import type { ContestRun } from '@arena/contest';
import { spearman } from '@arena/contest';
import { normalQuantile } from './stats.ts';

export interface ScoreValidation {
  /** the fold (0-based), or -1 for all test bars together */
  readonly fold: number;
  /** windows with a prediction and its realised next window */
  readonly windows: number;
  /** mean rank correlation of predicted vs realised next-window Sharpe over the agents (null without windows) */
  readonly meanRankIc: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** share of those windows whose rank IC is above 0 */
  readonly positiveShare: number | null;
}

const LEVEL = 0.9;

/** The bar whose open time is ts (the frames' ts are bar times of run.ts). */
function barAt(times: Float64Array, ts: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The per-window rank ICs (and the bar each realised window ends at), in window order. */
export function windowRankIcs(run: ContestRun): { endBar: number; rankIc: number }[] {
  const N = run.agents.length;
  const x = new Float64Array(N);
  const y = new Float64Array(N);
  const out: { endBar: number; rankIc: number }[] = [];
  for (let k = 0; k + 1 < run.frames.length; k++) {
    const prior = run.frames[k]!;
    const next = run.frames[k + 1]!;
    if (!prior.ready) continue;
    let n = 0;
    for (let i = 0; i < N; i++) {
      const p = prior.predicted[i]!;
      const r = next.realized[i]!;
      if (!Number.isFinite(p) || !Number.isFinite(r)) continue;
      x[n] = p;
      y[n] = r;
      n++;
    }
    const ic = spearman(x, y, n);
    if (Number.isFinite(ic)) out.push({ endBar: barAt(run.ts, next.ts), rankIc: ic });
  }
  return out;
}

function summarise(fold: number, ics: readonly number[]): ScoreValidation {
  const n = ics.length;
  if (n === 0) return { fold, windows: 0, meanRankIc: null, ciLow: null, ciHigh: null, positiveShare: null };
  const mean = ics.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(ics.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  const half = n > 1 ? normalQuantile(0.5 + LEVEL / 2) * (sd / Math.sqrt(n)) : NaN;
  return {
    fold,
    windows: n,
    meanRankIc: mean,
    ciLow: Number.isFinite(half) ? mean - half : null,
    ciHigh: Number.isFinite(half) ? mean + half : null,
    positiveShare: ics.filter((v) => v > 0).length / n,
  };
}

/** Per fold [t0, t1) of test bars, and over all of them (fold -1): the score model's rank IC. */
export function validateScores(run: ContestRun, bounds: readonly (readonly [number, number])[]): ScoreValidation[] {
  const all = windowRankIcs(run);
  const folds = bounds.map(([t0, t1], fold) => summarise(fold, all.filter((w) => w.endBar >= t0 && w.endBar < t1).map((w) => w.rankIc)));
  const first = bounds[0]![0];
  const last = bounds[bounds.length - 1]![1];
  return [...folds, summarise(-1, all.filter((w) => w.endBar >= first && w.endBar < last).map((w) => w.rankIc))];
}
