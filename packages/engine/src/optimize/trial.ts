/**
 * One trial of `arena optimize`: the strategy with a point's values, backtested over a block of bars [t0, t1). The
 * experts run over bars [0, t1) (causal: their outputs at t read bars <= t, so the bars before t0 are their warm-up
 * and nothing after t1 is seen), then the portfolio and the paper broker trade [t0, t1) from the initial cash.
 * The strategy is the configured static weights over the rule experts and the user's; the learned expert's weight is
 * 0 (it is a trained model, tuned by `arena train convnet`, and its training bars would leak into the blocks).
 */
import { type ArenaConfig, type BarPanel, parseConfig } from '@arena/core';
import { type ExpertSeries, type ParamValue, type UserExpert, createExperts, resolveParams, runExpertBatch } from '@arena/experts';
import { UserExpertRuns } from '../pipeline/userRuns.ts';
import type { StrategyRun } from '../result.ts';
import { computeMetrics, type Metrics } from '../metrics.ts';
import { simulate } from '../simulate.ts';
import { expertWeights } from '../staticWeights.ts';
import { withParams } from './space.ts';

export const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'return'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface TrialResult {
  /** the objective; -Infinity when infeasible (bad values, an expert failing) or under the minimum trade count */
  readonly value: number;
  readonly metrics?: Pick<Metrics, 'sharpe' | 'sortino' | 'calmar' | 'totalReturn' | 'maxDrawdown' | 'nTrades' | 'turnover'>;
  /** the per-bar Sharpe (not annualised), for the deflated Sharpe of a winner */
  readonly sharpePerBar?: number;
  /** why the trial does not count */
  readonly note?: string;
}

/** The optimised strategy's config: the base with the values, static weights, the learned expert out. */
export function trialConfig(base: ArenaConfig, params: Readonly<Record<string, ParamValue>>): ArenaConfig {
  const input = withParams(base as unknown as Record<string, unknown>, params) as { router: Record<string, unknown>; experts: { weights: Record<string, number> } };
  input.router = { ...input.router, mode: 'static' };
  input.experts.weights = { ...input.experts.weights, learned: 0 };
  return parseConfig(input);
}

export function objectiveOf(m: Metrics, objective: Objective): number {
  const v = objective === 'return' ? m.totalReturn : objective === 'sharpe' ? m.sharpe : objective === 'sortino' ? m.sortino : m.calmar;
  return v === null || !Number.isFinite(v) ? -Infinity : v;
}

/**
 * The user's experts of a trial: the loaded modules (each run starts their threads anew) or runs that keep a thread
 * per expert across trials (a trial worker's).
 */
export type TrialUser = readonly UserExpert[] | UserExpertRuns;

/**
 * The user experts with their values in this config, time-major as the pipeline runs them, each on its own thread
 * with the config's limit per bar (experts.userTimeoutMs; 0: on this thread); a fault makes the trial infeasible.
 */
function userSeries(panel: BarPanel, user: TrialUser, config: ArenaConfig, ctx: { nAssets: number; periodsPerYear: number }): ExpertSeries[] {
  const list = user instanceof UserExpertRuns ? user.user : user;
  if (list.length === 0) return [];
  const params = list.map((u) => resolveParams(u.spec, config.experts.custom.find((c) => c.name === u.name)?.params ?? {}));
  const runs = user instanceof UserExpertRuns ? user : new UserExpertRuns(list, ctx.nAssets, config.experts.userTimeoutMs);
  try {
    const { series, faults } = runs.run(panel, params);
    const f = faults[0];
    if (f !== undefined) throw runs.faultError(f, `with ${JSON.stringify(params[list.findIndex((u) => u.name === f.expert)])}`);
    return series;
  } finally {
    if (runs !== user) runs.close();
  }
}

/** The strategy of this config over [t0, t1), its experts warmed up on the bars before t0. */
function runStrategy(panel: BarPanel, config: ArenaConfig, user: TrialUser, t0: number, t1: number, fundingDue?: Float64Array): StrategyRun {
  const seen = panel.slice(0, t1);
  const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
  const series = [...createExperts(config.experts).map((x) => runExpertBatch(x, seen, ctx)), ...userSeries(seen, user, config, ctx)];
  const A = panel.nAssets;
  const experts = series.map((s) => ({ name: s.name, exposure: s.exposure.subarray(t0 * A, t1 * A), confidence: s.confidence.subarray(t0 * A, t1 * A) }));
  return simulate({ name: 'trial', panel: panel.slice(t0, t1), experts, weights: expertWeights(config), config, ...(fundingDue ? { fundingDue: fundingDue.subarray(t0 * A, t1 * A) } : {}) });
}

export function runTrial(panel: BarPanel, base: ArenaConfig, user: TrialUser, params: Readonly<Record<string, ParamValue>>, t0: number, t1: number, objective: Objective, minTrades: number, fundingDue?: Float64Array): TrialResult {
  let config: ArenaConfig;
  try {
    config = trialConfig(base, params);
  } catch (e) {
    return { value: -Infinity, note: `infeasible: ${(e as Error).message.split('\n')[0]}` };
  }
  let run: StrategyRun;
  try {
    run = runStrategy(panel, config, user, t0, t1, fundingDue);
  } catch (e) {
    return { value: -Infinity, note: `an expert failed: ${(e as Error).message.split('\n')[0]}` };
  }
  const ppy = panel.periodsPerYear();
  const m = computeMetrics(run, ppy, config.broker.initialCash, panel.ts.subarray(t0, t1));
  const metrics = { sharpe: m.sharpe, sortino: m.sortino, calmar: m.calmar, totalReturn: m.totalReturn, maxDrawdown: m.maxDrawdown, nTrades: m.nTrades, turnover: m.turnover };
  const sharpePerBar = m.sharpe === null ? 0 : m.sharpe / Math.sqrt(ppy);
  if (m.nTrades < minTrades) return { value: -Infinity, metrics, sharpePerBar, note: `${m.nTrades} trades < --min-trades ${minTrades}` };
  return { value: objectiveOf(m, objective), metrics, sharpePerBar };
}

/** The per-bar returns of the strategy with these values over [t0, t1) (a winner's, for its deflated Sharpe and the chained walk-forward). */
export function trialReturns(panel: BarPanel, base: ArenaConfig, user: TrialUser, params: Readonly<Record<string, ParamValue>>, t0: number, t1: number, fundingDue?: Float64Array): Float64Array {
  const config = trialConfig(base, params);
  const run = runStrategy(panel, config, user, t0, t1, fundingDue);
  const r = new Float64Array(run.equity.length);
  let prev = config.broker.initialCash;
  for (let i = 0; i < r.length; i++) {
    r[i] = prev > 0 ? run.equity[i]! / prev - 1 : 0;
    prev = run.equity[i]!;
  }
  return r;
}
