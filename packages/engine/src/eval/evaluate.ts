/**
 * `arena eval`: the router against the alternatives, out of sample, after fees and slippage, all on the same bars.
 * Strategies: router (its weights per bar), equal-weight, best-expert-in-sample (the expert with the best Sharpe on
 * the training period), static-fit (the static weights with the best training Sharpe among a fixed candidate set:
 * the corners, equal, pair midpoints and 32 seeded Dirichlet draws), oracle (per bar and asset the expert with the
 * best forward risk-adjusted net return over the label horizon: look-ahead, an upper bound) and buy-and-hold.
 * A single split tests on the last `testFraction` of the bars; walk-forward splits the second half of the bars into
 * `folds` consecutive blocks, refits on everything before each block and chains the blocks.
 */
import { type ArenaConfig, type BarPanel, REGIMES, Rng, timeframeMs } from '@arena/core';
import type { ExpertSeries } from '@arena/experts';
import { DEFAULT_LABELS, type Hindsight, type RoutingSeries, hindsight, oracleDistribution } from '@arena/router';
import { computeMetrics } from '../metrics.ts';
import type { StrategyRun } from '../result.ts';
import { simulate } from '../simulate.ts';
import { chainRuns } from './chain.ts';
import { type ClassScores, type DeflatedSharpe, type SharpeComparison, barReturns, classScores, compareSharpe, deflatedSharpe } from './stats.ts';
import { type ContestRun, type ContestSettings, allAgentsEqual, bestAgentHindsight, replayContest, topkTrailingMean } from '@arena/contest';
import { type ScoreValidation, validateScores } from './scoreValidation.ts';

export const EVAL_STRATEGIES = ['router', 'equal-weight', 'best-expert-in-sample', 'static-fit', 'oracle', 'buy-and-hold'] as const;
/**
 * With a contest: its target (as configured); the same contest replayed with each fallback at the configured
 * hurdle and track record (contest-cash: rewards as they are, cash when nobody clears it; contest-benchmark: scored
 * relative to the equal-weight benchmark agent, which is held when nobody clears it); contest-benchmark without the
 * track record (every choice of the score model traded); every agent equally weighted; the naive top k by trailing
 * mean reward; the single agent with the best Sharpe over the test bars (hindsight: an upper bound). All from the
 * same proposals.
 */
export const CONTEST_STRATEGIES = ['contest', 'contest-cash', 'contest-benchmark', 'contest-benchmark-no-record', 'contest-benchmark-switch', 'contest-cash-calibrated', 'contest-benchmark-calibrated', 'all-agents-equal', 'topk-trailing-mean', 'best-agent-hindsight'] as const;

/**
 * The annualised hurdles (contest.minSharpe) the calibrated rows choose among on each fold's training bars; Infinity
 * (written 'never') adopts nobody: the fallback alone (cash, or the benchmark).
 */
export const CONTEST_HURDLES = [0, 0.5, 1, 1.5, 2, 3, Infinity] as const;
/** The contest's fallbacks as eval names them, with the contest.benchmark value of each. */
export const CONTEST_FALLBACKS = { cash: 'cash', benchmark: 'equal' } as const;
export type ContestFallback = keyof typeof CONTEST_FALLBACKS;

/** A fold's hurdle choice for one fallback: the hurdle with the best training Sharpe (ties: the higher) and every candidate's. */
export interface HurdleChoice {
  readonly chosen: number | 'never';
  readonly trainSharpe: readonly { readonly hurdle: number | 'never'; readonly sharpe: number | null }[];
  /** the chosen hurdle is the winner of a search over CONTEST_HURDLES: its deflated Sharpe on the training bars (null: its book never moved there) */
  readonly deflated: DeflatedSharpe | null;
}

export interface EvalRow {
  readonly strategy: string;
  readonly totalReturn: number;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly maxDrawdown: number;
  readonly turnover: number;
  /** share of the bars with a position */
  readonly timeInMarket: number;
  readonly cagr: number;
  readonly annualVol: number;
  readonly finalEquity: number;
  readonly nFills: number;
  /** times the kill switch (config.risk) flattened the book over the test folds (each fold starts with fresh books) */
  readonly halts: number;
}

export interface EvalFold {
  readonly trainRange: { readonly from: string; readonly to: string; readonly bars: number };
  readonly testRange: { readonly from: string; readonly to: string; readonly bars: number };
  readonly bestExpert: string;
  readonly staticWeights: Readonly<Record<string, number>>;
  /** static-fit is the winner of a search over candidate weights on the training bars: its deflated Sharpe there */
  readonly staticFitDeflated: DeflatedSharpe;
  /** best-expert-in-sample is the winner of a search over the experts alone: its deflated Sharpe on the training bars */
  readonly bestExpertDeflated: DeflatedSharpe;
  /** contest-cash-calibrated and contest-benchmark-calibrated: the hurdle chosen on the fold's training bars */
  readonly contestHurdle?: { readonly [F in ContestFallback]: HurdleChoice };
}

/** The pairs compared with a bootstrap, when both rows exist. */
export const EVAL_COMPARISONS: readonly (readonly [string, string])[] = [
  ['router', 'equal-weight'],
  ['router', 'static-fit'],
  ['contest', 'equal-weight'],
  ['contest', 'router'],
  ['contest-cash', 'equal-weight'],
  ['contest-benchmark', 'equal-weight'],
  ['contest-benchmark-no-record', 'equal-weight'],
  ['contest-benchmark-switch', 'equal-weight'],
  ['contest-cash-calibrated', 'equal-weight'],
  ['contest-benchmark-calibrated', 'equal-weight'],
];

export interface RegimeScores {
  /** against the hindsight labels the router was trained on */
  readonly hindsight: ClassScores;
  /** against the generator's true regimes (synthetic market only) */
  readonly truth: ClassScores | null;
  /** 1 / the number of regimes */
  readonly chance: number;
}

export interface EvalResult {
  readonly testRange: { readonly from: string; readonly to: string; readonly bars: number };
  readonly folds: readonly EvalFold[];
  readonly rows: readonly EvalRow[];
  /** paired stationary block bootstrap of Sharpe differences over the test bars (90% intervals) */
  readonly comparisons: readonly SharpeComparison[];
  /** argmax of the router's regime probabilities over the test bars, beside always answering the most frequent regime */
  readonly regimeAccuracy: RegimeScores;
  /** the contest's score model: rank IC of predicted vs realised next-window Sharpe per fold, then over all test bars (fold -1) */
  readonly contestScoreModel: readonly ScoreValidation[];
  /** share of the test bars on which contest-benchmark held the benchmark agent (nobody cleared the hurdle) */
  readonly contestOnBenchmark: number | null;
  /** equity per strategy over the test bars (chained) */
  readonly curves: readonly { readonly name: string; readonly ts: Float64Array; readonly equity: Float64Array }[];
}

export interface EvalInput {
  readonly panel: BarPanel;
  readonly config: ArenaConfig;
  readonly experts: readonly ExpertSeries[];
  /** routing of the whole panel (the committed router), or per fold when routeFold is given */
  readonly routing: RoutingSeries;
  /** retrains the router on bars [0, trainEnd) and routes the whole panel (eval --train) */
  readonly routeFold?: (trainEnd: number) => Promise<RoutingSeries>;
  readonly testFraction?: number;
  /** funding settled at each bar's open (perpetuals, market.kind perp) */
  readonly fundingDue?: Float64Array;
  /** walk-forward folds over the second half (0 or undefined: one split) */
  readonly folds?: number;
  readonly regimeTruth?: Uint8Array;
  /** the contest over the whole panel (on line, so its test bars are out of sample by construction), with its top k and window */
  readonly contest?: { readonly run: ContestRun; readonly topK: number; readonly window: number; readonly settings: ContestSettings };
  readonly onProgress?: (done: number, total: number) => void;
  /** bootstrap resamples per comparison (default 2,000) */
  readonly resamples?: number;
}

const iso = (panel: BarPanel, t: number) => new Date(panel.ts[t]!).toISOString();
const sharpeOf = (run: StrategyRun, ppy: number, cash: number) => computeMetrics(run, ppy, cash).sharpe ?? -Infinity;

/** Fold boundaries [trainEnd = testStart, testEnd). */
export function evalFolds(T: number, testFraction: number, folds: number): [number, number][] {
  if (!(folds > 1)) return [[Math.max(1, Math.floor(T * (1 - testFraction))), T]];
  const start = Math.floor(T / 2);
  return Array.from({ length: folds }, (_, k) => [start + Math.floor(((T - start) * k) / folds), start + Math.floor(((T - start) * (k + 1)) / folds)]);
}

/** The candidate static weight vectors of static-fit. */
export function staticCandidates(E: number, seed = 1): Float64Array[] {
  const out: Float64Array[] = [new Float64Array(E).fill(1 / E)];
  for (let e = 0; e < E; e++) out.push(Float64Array.from({ length: E }, (_, k) => (k === e ? 1 : 0)));
  for (let i = 0; i < E; i++) for (let j = i + 1; j < E; j++) out.push(Float64Array.from({ length: E }, (_, k) => (k === i || k === j ? 0.5 : 0)));
  const rng = new Rng(seed);
  for (let n = 0; n < 32; n++) {
    const g = Float64Array.from({ length: E }, () => -Math.log(Math.max(1e-12, rng.next())));
    const s = g.reduce((a, b) => a + b, 0);
    out.push(g.map((v) => v / s));
  }
  return out;
}

/** Oracle weights from the hindsight terms: one-hot on the expert with the best forward net gain per cell (equal where the window is incomplete). */
export function oracleWeights(h: Hindsight): Float32Array {
  const E = h.nExperts;
  const n = h.valid.length;
  const w = new Float32Array(n * E).fill(1 / E);
  const dist = new Float32Array(E);
  for (let c = 0; c < n; c++) {
    if (h.valid[c] !== 1) continue;
    oracleDistribution(h, c, 1, dist, 0);
    let best = 0;
    for (let e = 1; e < E; e++) if (dist[e]! > dist[best]!) best = e;
    w.fill(0, c * E, (c + 1) * E);
    w[c * E + best] = 1;
  }
  return w;
}

export async function runEval(input: EvalInput): Promise<EvalResult> {
  const { panel, config, experts } = input;
  const A = panel.nAssets;
  const E = experts.length;
  const T = panel.nTimes;
  const ppy = panel.periodsPerYear();
  const cash = config.broker.initialCash;
  const bounds = evalFolds(T, input.testFraction ?? 0.3, input.folds ?? 0);
  const cost = (config.broker.feeBps + config.broker.halfSpreadBps) / 1e4;
  /** a trial's annualised Sharpe per bar, as deflatedSharpe takes them (none: 0) */
  const perBarSharpe = (s: number | null) => (s !== null && Number.isFinite(s) ? s / Math.sqrt(ppy) : 0);
  // one pass of hindsight: the oracle's weights and the regime labels the router is scored against
  const labels = hindsight(panel, experts.map((e) => e.exposure), { ...DEFAULT_LABELS, cost });
  const oracle = oracleWeights(labels);
  const candidates = staticCandidates(E);
  const sliceExperts = (t0: number, t1: number) =>
    experts.map((e) => ({ name: e.name, exposure: e.exposure.subarray(t0 * A, t1 * A), confidence: e.confidence.subarray(t0 * A, t1 * A) }));
  const contest = input.contest;
  const names: string[] = [...EVAL_STRATEGIES, ...(contest ? CONTEST_STRATEGIES : [])];
  const runs = new Map<string, StrategyRun[]>(names.map((s) => [s, []]));
  // the contest replayed with every candidate hurdle over the whole panel (on line, so each is causal)
  const replays = contest ? contestReplays(contest.run, contest.settings, A, ppy, timeframeMs(panel.timeframe)) : undefined;
  const contestTargets = contest && replays
    ? {
        'contest': contest.run.exposure,
        'contest-cash': replays.at('cash', contest.settings.minSharpe).exposure,
        'contest-benchmark': replays.at('benchmark', contest.settings.minSharpe).exposure,
        'contest-benchmark-no-record': replays.at('benchmark', contest.settings.minSharpe, false).exposure,
        // a trusted choice held whole (contest.adoption 'switch'), the rule before the blend
        'contest-benchmark-switch': replays.at('benchmark', contest.settings.minSharpe, true, 'switch').exposure,
        'all-agents-equal': allAgentsEqual(contest.run, A),
        'topk-trailing-mean': topkTrailingMean(contest.run, A, contest.topK, contest.window),
      }
    : undefined;
  const folds: EvalFold[] = [];
  const total = bounds.length * (candidates.length + names.length);
  let done = 0;
  const tick = () => input.onProgress?.(++done, total);
  const predicted: number[] = [];
  const hindsightLabels: number[] = [];
  const truthLabels: number[] = [];
  for (const [t0, t1] of bounds) {
    const routing = input.routeFold ? await input.routeFold(t0) : input.routing;
    const train = panel.slice(0, t0);
    const trainEx = sliceExperts(0, t0);
    // funding settled on the fold's bars (perpetuals): the training panel starts at bar 0, the test panel at t0
    const due = (p: BarPanel) => (input.fundingDue === undefined ? {} : { fundingDue: input.fundingDue.subarray((p === train ? 0 : t0) * A, ((p === train ? 0 : t0) + p.nTimes) * A) });
    const sim = (name: string, p: BarPanel, ex: ExpertSeries[], w: Float64Array, dyn?: Float32Array, hold = false, exposure?: Float64Array) =>
      simulate({ name, panel: p, experts: ex, weights: w, config, holdOnceEntered: hold, ...due(p), ...(dyn ? { dynamicWeights: dyn } : {}), ...(exposure ? { exposure } : {}) });
    // fits on the training bars; candidates 1..E are the experts alone, so the best expert comes from the same runs
    let bestExpert = 0;
    let bestSharpe = -Infinity;
    let staticW = candidates[0]!;
    let staticSharpe = -Infinity;
    let staticRun: StrategyRun | undefined;
    const expertRuns: StrategyRun[] = [];
    const trialSharpes: number[] = [];
    candidates.forEach((w, i) => {
      const run = sim('fit', train, trainEx, w);
      const s = sharpeOf(run, ppy, cash);
      trialSharpes.push(perBarSharpe(s));
      if (i >= 1 && i <= E) expertRuns.push(run);
      if (s > staticSharpe) (staticSharpe = s), (staticW = w), (staticRun = run);
      if (i >= 1 && i <= E && s > bestSharpe) (bestSharpe = s), (bestExpert = i - 1);
      tick();
    });
    const staticFitDeflated = deflatedSharpe(barReturns(staticRun!.equity, cash), trialSharpes, ppy);
    // the experts alone are candidates 1..E: a search over E configurations
    const bestExpertDeflated = deflatedSharpe(barReturns(expertRuns[bestExpert]!.equity, cash), trialSharpes.slice(1, E + 1), ppy);
    // the test block
    const test = panel.slice(t0, t1);
    const testEx = sliceExperts(t0, t1);
    const dyn = (w: Float32Array) => w.subarray(t0 * A * E, t1 * A * E);
    const oneHot = Float64Array.from({ length: E }, (_, k) => (k === bestExpert ? 1 : 0));
    const flat = Float64Array.from({ length: E }, () => 1 / E);
    const add = (name: string, run: StrategyRun) => {
      runs.get(name)!.push(run);
      tick();
    };
    add('router', sim('router', test, testEx, flat, dyn(routing.weights)));
    add('equal-weight', sim('equal-weight', test, testEx, flat));
    add('best-expert-in-sample', sim('best-expert-in-sample', test, testEx, oneHot));
    add('static-fit', sim('static-fit', test, testEx, staticW));
    add('oracle', sim('oracle', test, testEx, flat, dyn(oracle)));
    const n = (t1 - t0) * A;
    const ones = { name: 'constant', exposure: new Float64Array(n).fill(1), confidence: new Float64Array(n).fill(1) };
    add('buy-and-hold', sim('buy-and-hold', test, [ones], Float64Array.of(1), undefined, true));
    let contestHurdle: EvalFold['contestHurdle'];
    if (contest && contestTargets && replays) {
      const slice = (x: Float64Array) => x.subarray(t0 * A, t1 * A);
      for (const [name, target] of Object.entries(contestTargets)) add(name, sim(name, test, testEx, flat, undefined, false, slice(target)));
      // each fallback's hurdle chosen on the training bars: the best Sharpe there ('never' is the fallback alone: cash
      // scores 0, the benchmark equal weights' Sharpe; ties: the higher hurdle)
      const choose = (fallback: ContestFallback): HurdleChoice => {
        const runsOf = CONTEST_HURDLES.map((h) => replays.at(fallback, h).exposure);
        const fits = runsOf.map((x) => sim('fit', train, trainEx, flat, undefined, false, x.subarray(0, t0 * A)));
        const sharpes = fits.map((r) => computeMetrics(r, ppy, cash).sharpe);
        let best = 0;
        sharpes.forEach((v, k) => {
          if ((v ?? 0) >= (sharpes[best] ?? 0) - 1e-12) best = k;
        });
        add(`contest-${fallback}-calibrated`, sim(`contest-${fallback}-calibrated`, test, testEx, flat, undefined, false, slice(runsOf[best]!)));
        const name = (h: number) => (Number.isFinite(h) ? h : ('never' as const));
        // the hurdles tried, deflated as the other searches are ('never' with the cash fallback: a flat book, Sharpe 0)
        const winner = barReturns(fits[best]!.equity, cash);
        const deflated = winner.some((r) => r !== 0) ? deflatedSharpe(winner, sharpes.map(perBarSharpe), ppy) : null;
        return { chosen: name(CONTEST_HURDLES[best]!), trainSharpe: CONTEST_HURDLES.map((h, k) => ({ hurdle: name(h), sharpe: sharpes[k]! })), deflated };
      };
      contestHurdle = { cash: choose('cash'), benchmark: choose('benchmark') };
      add('best-agent-hindsight', sim('best-agent-hindsight', test, testEx, flat, undefined, false, slice(bestAgentHindsight(contest.run, A, t0, t1).exposure)));
    }
    for (let c = t0 * A; c < t1 * A; c++) {
      const label = labels.regime[c]!;
      if (label < 0 || panel.present[c] !== 1) continue;
      let best = 0;
      for (let r = 1; r < REGIMES.length; r++) if (routing.regime[c * REGIMES.length + r]! > routing.regime[c * REGIMES.length + best]!) best = r;
      predicted.push(best);
      hindsightLabels.push(label);
      if (input.regimeTruth) truthLabels.push(input.regimeTruth[c]!);
    }
    folds.push({
      trainRange: { from: iso(panel, 0), to: iso(panel, t0 - 1), bars: t0 },
      testRange: { from: iso(panel, t0), to: iso(panel, t1 - 1), bars: t1 - t0 },
      bestExpert: experts[bestExpert]?.name ?? String(bestExpert),
      staticWeights: Object.fromEntries(experts.map((x, e) => [x.name, Number(staticW[e]!.toFixed(4))])),
      staticFitDeflated,
      bestExpertDeflated,
      ...(contestHurdle ? { contestHurdle } : {}),
    });
  }
  const first = bounds[0]![0];
  const last = bounds[bounds.length - 1]![1];
  const ts = panel.ts.subarray(first, last);
  const rows: EvalRow[] = [];
  const curves: EvalResult['curves'][number][] = [];
  const returns = new Map<string, Float64Array>();
  for (const name of names) {
    const foldRuns = runs.get(name)!;
    const run = chainRuns(foldRuns, cash);
    const m = computeMetrics(run, ppy, cash, ts);
    const halts = foldRuns.reduce((n, r) => n + (r.halts?.length ?? 0), 0);
    rows.push({ strategy: name, totalReturn: m.totalReturn, sharpe: m.sharpe, sortino: m.sortino, maxDrawdown: m.maxDrawdown, turnover: m.turnover, timeInMarket: m.timeInMarket, cagr: m.cagr, annualVol: m.annualVol, finalEquity: m.finalEquity, nFills: m.nFills, halts });
    curves.push({ name, ts, equity: run.equity });
    returns.set(name, barReturns(run.equity, cash));
  }
  // blocks at least as long as the label horizon: a decision's effect spans that many bars
  const comparisons = EVAL_COMPARISONS.filter(([a, b]) => returns.has(a) && returns.has(b)).map(([a, b]) =>
    compareSharpe(a, returns.get(a)!, b, returns.get(b)!, ppy, { minBlock: DEFAULT_LABELS.horizon, resamples: input.resamples ?? 2000, seed: 1 }),
  );
  const K = REGIMES.length;
  return {
    testRange: { from: iso(panel, first), to: iso(panel, last - 1), bars: last - first },
    folds,
    rows,
    comparisons,
    regimeAccuracy: { hindsight: classScores(predicted, hindsightLabels, K), truth: input.regimeTruth ? classScores(predicted, truthLabels, K) : null, chance: 1 / K },
    contestScoreModel: contest ? validateScores(contest.run, bounds) : [],
    contestOnBenchmark: contest && replays ? shareOf(replays.at('benchmark', contest.settings.minSharpe).onBenchmark, bounds) : null,
    curves,
  };
}

/**
 * The contest's windows replayed with another fallback, hurdle or no track record, each once (a replay walks every
 * bar): what the contest rows and the hurdle calibration read.
 */
function contestReplays(run: ContestRun, settings: ContestSettings, A: number, ppy: number, barMs: number) {
  const done = new Map<string, ReturnType<typeof replayContest>>();
  return {
    at(fallback: ContestFallback, minSharpe: number, record = true, adoption: ContestSettings['adoption'] = settings.adoption): ReturnType<typeof replayContest> {
      const key = `${fallback} ${minSharpe} ${record} ${adoption}`;
      let r = done.get(key);
      if (r === undefined) {
        const trackRecord = record ? settings.trackRecord : { ...settings.trackRecord, windows: 0 };
        r = replayContest(run, A, { ...settings, benchmark: CONTEST_FALLBACKS[fallback], minSharpe, trackRecord, adoption }, ppy, barMs);
        done.set(key, r);
      }
      return r;
    },
  };
}

/** Share of the bars inside the folds' test ranges where flag is 1. */
function shareOf(flag: Uint8Array, bounds: readonly (readonly [number, number])[]): number {
  let on = 0;
  let n = 0;
  for (const [t0, t1] of bounds) {
    for (let t = t0; t < t1; t++) on += flag[t]!;
    n += t1 - t0;
  }
  return n > 0 ? on / n : 0;
}
