/**
 * Recursive analysis (freqtrade's recursive-analysis): how much an indicator's value depends on how much history
 * came before it. Each feature of the catalogue and each rule expert's exposure is computed with only `startup`
 * bars before a target bar (200, 500, 1,000, 2,000) and with the whole history, and the values at the target bars
 * are compared. Recursive formulas (EWMAs, Wilder's smoothing) never forget their start entirely; a backtest that
 * starts with less history than an indicator needs trades on values a longer history would not give.
 *
 * A difference is measured in units of the indicator's own spread (its standard deviation over the whole history),
 * so every indicator is judged on one scale. An indicator needs the smallest startup whose difference is within
 * `tolerance` (0.1% of its spread); it is biased when even the longest startup tried is not within 10x that
 * (it depends on more history than any backtest here loads).
 */
import { type ArenaConfig, type BarPanel, EXPERT_NAMES } from '@arena/core';
import { type UserExpert, createExperts, runExpertBatch } from '@arena/experts';
import { UserExpertRuns } from '../pipeline/userRuns.ts';
import { computeFeatures } from '@arena/features';

export const RECURSIVE_STARTUPS = [200, 500, 1000, 2000] as const;
const TARGETS = 5;
const SPACING = 97;

/** The bars a panel needs for the shortest startup to be tested at every target bar (fewer would test nothing). */
export function recursiveMinBars(startups: readonly number[] = RECURSIVE_STARTUPS, targets = TARGETS, spacing = SPACING): number {
  return Math.min(...startups) + (targets - 1) * spacing + 2;
}

export interface IndicatorCheck {
  readonly indicator: string;
  /** per startup: the largest difference at the target bars over the indicator's spread (Infinity: not warmed up) */
  readonly diffs: Readonly<Record<string, number | null>>;
  /** the smallest startup within tolerance, or null */
  readonly needs: number | null;
  readonly biased: boolean;
}

export interface RecursiveReport {
  readonly startups: readonly number[];
  /** ISO times of the bars compared */
  readonly targets: readonly string[];
  readonly tolerance: number;
  readonly indicators: readonly IndicatorCheck[];
  /** the startup every indicator is within tolerance with (null: some never are) */
  readonly startupNeeded: number | null;
  readonly biased: boolean;
}

export interface RecursiveInput {
  readonly panel: BarPanel;
  readonly config: ArenaConfig;
  readonly funding?: Float64Array;
  /** the user's experts (experts.custom), checked like the built-in ones */
  readonly user?: readonly UserExpert[];
  readonly startups?: readonly number[];
  /** bars compared, the last ones of the panel spaced by `spacing` (default 5, every 97 bars) */
  readonly targets?: number;
  readonly spacing?: number;
  readonly tolerance?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The indicators over a panel: [name, column [t * A + a]]. */
function indicators(panel: BarPanel, config: ArenaConfig, funding: Float64Array | undefined, user: UserExpertRuns): [string, Float64Array][] {
  const set = computeFeatures({ panel, ...(funding ? { funding } : {}) });
  const out: [string, Float64Array][] = set.features.map((f, i) => [`feature:${f.name}`, set.columns[i]!]);
  const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
  createExperts(config.experts).forEach((e, k) => {
    if (EXPERT_NAMES[k] === 'learned') return; // no net here: its inputs are the features above
    out.push([`expert:${e.name}`, runExpertBatch(e, panel, ctx).exposure]);
  });
  const { series, faults } = user.run(panel);
  // an expert that fails has no value to compare: the command stops and says where and why
  const f = faults[0];
  if (f !== undefined) throw user.faultError(f, `in recursive-analysis, over ${panel.nTimes} bars`);
  for (const s of series) out.push([`expert:${s.name}`, s.exposure]);
  return out;
}

function spread(x: Float64Array): number {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const v of x) {
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
}

export function recursiveAnalysis(input: RecursiveInput): RecursiveReport {
  const { panel, config } = input;
  const A = panel.nAssets;
  // each user expert on one thread (the config's limit per bar) across every cut, restarted per cut
  const user = new UserExpertRuns(input.user ?? [], A, config.experts.userTimeoutMs);
  try {
    return analyse(input, user);
  } finally {
    user.close();
  }
}

function analyse(input: RecursiveInput, user: UserExpertRuns): RecursiveReport {
  const { panel, config, funding } = input;
  const A = panel.nAssets;
  const T = panel.nTimes;
  const tolerance = input.tolerance ?? 1e-3;
  const spacing = input.spacing ?? SPACING;
  const nTargets = input.targets ?? TARGETS;
  const targets = Array.from({ length: nTargets }, (_, k) => T - 1 - k * spacing).filter((t) => t >= 0).reverse();
  const startups = (input.startups ?? RECURSIVE_STARTUPS).filter((s) => s < (targets[0] ?? 0));
  const full = indicators(panel, config, funding, user);
  const scale = full.map(([, x]) => spread(x));
  const diffs = full.map(() => new Map<number, number>());
  const total = startups.length * targets.length;
  let done = 0;
  for (const s of startups) {
    for (const t of targets) {
      const t0 = t - s;
      const cut = indicators(panel.slice(t0, t + 1), config, funding?.subarray(t0 * A, (t + 1) * A), user);
      const last = s; // the target bar's row in the cut
      full.forEach(([, x], i) => {
        const y = cut[i]![1];
        let worst = diffs[i]!.get(s) ?? 0;
        for (let a = 0; a < A; a++) {
          const u = x[t * A + a]!;
          const v = y[last * A + a]!;
          const d = Number.isFinite(u) ? (Number.isFinite(v) ? Math.abs(u - v) / (scale[i]! || 1) : Infinity) : 0;
          if (d > worst) worst = d;
        }
        diffs[i]!.set(s, worst);
      });
      input.onProgress?.(++done, total);
    }
  }
  const checks: IndicatorCheck[] = full.map(([name], i) => {
    const needs = startups.find((s) => diffs[i]!.get(s)! <= tolerance) ?? null;
    const longest = startups.length > 0 ? diffs[i]!.get(startups[startups.length - 1]!)! : 0;
    return {
      indicator: name,
      diffs: Object.fromEntries(startups.map((s) => [String(s), Number.isFinite(diffs[i]!.get(s)!) ? diffs[i]!.get(s)! : null])),
      needs,
      biased: longest > 10 * tolerance,
    };
  });
  const needed = checks.every((c) => c.needs !== null) ? Math.max(0, ...checks.map((c) => c.needs!)) : null;
  return {
    startups,
    targets: targets.map((t) => new Date(panel.ts[t]!).toISOString()),
    tolerance,
    indicators: checks,
    startupNeeded: needed,
    biased: checks.some((c) => c.biased),
  };
}
