/** Config schema (zod): unknown keys rejected, every violation reported at once, with its key. */
import { z } from 'zod';
import { arenaError } from './errors.ts';
import { ERR } from './codes.ts';
import { TIMEFRAMES } from './timeframe.ts';

const pos = (what: string) => z.number({ error: `${what} must be a number` }).positive({ error: `must be > 0` });
const nonneg = () => z.number().nonnegative({ error: 'must be >= 0' });
const int = (min: number) => z.number().int({ error: 'must be an integer' }).min(min, { error: `must be >= ${min}` });
const frac = () => z.number().gt(0, { error: 'must be in (0,1]' }).lte(1, { error: 'must be in (0,1]' });

export const EXPERT_NAMES = ['trend', 'reversal', 'breakout', 'positioning', 'learned'] as const;
export type ExpertName = (typeof EXPERT_NAMES)[number];

export const TrendParams = z.strictObject({
  /** fast EMA span of price, bars */
  fast: int(2).default(20),
  /** slow EMA span of price, bars */
  slow: int(3).default(100),
  /** EWMA span of squared price changes for the volatility that normalises the EMA gap */
  volWindow: int(2).default(50),
  /** tanh gain on the normalised EMA gap */
  gain: pos('gain').default(1.5),
});

export const ReversalParams = z.strictObject({
  /** Bollinger / z-score window, bars */
  window: int(3).default(20),
  /** RSI window (Wilder), bars */
  rsiWindow: int(2).default(14),
  /** |z| from which the expert leans against the move */
  entryZ: nonneg().default(1),
  /** |z| at which the exposure saturates */
  zMax: pos('zMax').default(2.5),
});

export const BreakoutParams = z.strictObject({
  /** Donchian entry channel, bars (excludes the current bar) */
  window: int(2).default(55),
  /** Donchian exit channel, bars */
  exitWindow: int(2).default(20),
  /** window of the average volume that confirms a breakout */
  volumeWindow: int(2).default(20),
  /** volume must exceed this multiple of its average to confirm */
  volumeMult: nonneg().default(1.2),
});

export const PositioningParams = z.strictObject({
  /** EWMA span of squared returns for realised volatility */
  volWindow: int(2).default(50),
  /** annualised volatility the exposure targets */
  targetVol: pos('targetVol').default(0.3),
  /** window of the rolling peak for the drawdown, bars */
  ddWindow: int(2).default(500),
  /** drawdown from that peak at which exposure reaches 0 */
  maxDrawdown: frac().default(0.3),
});

export const LearnedParams = z.strictObject({
  /** folder of the LiteConvNet (model.json, weights.bin, card.json); relative paths resolve against the working
   * directory, then against the Arena checkout (where the committed default lives) */
  model: z.string().min(1).default('models/convnet/default'),
  /** exposure = clamp(signal / scale): the signal is in units of its validation spread */
  scale: pos('scale').default(2),
});

export const ROUTER_MODES = ['model', 'static', 'equal', 'vlm'] as const;

export const RouterParams = z.strictObject({
  /** model: the trained multimodal router; static: experts.weights; equal: 1/5 each; vlm: a vision-language model
   * (ARENA_VLM_URL) with the model router as fallback. Default equal: out of sample, over five real data sets and
   * five synthetic seeds, the committed router did not beat equal weights (docs/research.md) */
  mode: z.enum(ROUTER_MODES).default('equal'),
  /** folder of the router (model.json, weights.bin, card.json), resolved like experts.learned.model */
  model: z.string().min(1).default('models/router/default'),
  /** softmax temperature of the expert weights: < 1 sharper, > 1 flatter */
  temperature: pos('temperature').default(1),
  /** EWMA span, in bars, of each asset's expert weights (1: none); damps bar-to-bar churn. Default: the 24-bar horizon the router is trained to decide for */
  smoothing: int(1).default(24),
  /** route each asset every this many bars (staggered across assets), holding its weights in between: the weights
   * are smoothed over `smoothing` bars anyway, and a routing is the costliest step of a bar (a chart and the net) */
  every: int(1).default(4),
  vlm: z
    .strictObject({
      /** ask the VLM every this many bars per asset (weights held in between) */
      every: int(1).default(24),
      /** requests in flight at once */
      concurrency: int(1).max(64, { error: 'must be <= 64' }).default(4),
      /** withhold the symbol and the bar's date from the VLM (the chart has no price axis): a pretrained model must not
       * recall what came next */
      anonymize: z.boolean().default(true),
    })
    .prefault({}),
});

export const CONTEST_ALLOCATIONS = ['proportional', 'covariance'] as const;
export type ContestAllocation = (typeof CONTEST_ALLOCATIONS)[number];
export const CONTEST_BENCHMARKS = ['cash', 'equal'] as const;
export type ContestBenchmark = (typeof CONTEST_BENCHMARKS)[number];
export const CONTEST_ADOPTIONS = ['blend', 'switch'] as const;
export type ContestAdoption = (typeof CONTEST_ADOPTIONS)[number];

/** One data-team factor producer: a variant of the dynamic feature selector (features.* settings). */
export const DataTeamVariant = z.strictObject({
  window: int(20).optional(),
  clusters: z.union([int(1), z.literal('auto')]).optional(),
  topK: int(1).optional(),
  reselectEvery: int(1).optional(),
});

export const ContestParams = z.strictObject({
  /** run the contest: the adopted agents' weighted proposals become the strategy's target */
  enabled: z.boolean().default(false),
  /** research agents in the population */
  agents: int(1).max(65_536, { error: 'must be <= 65536' }).default(32),
  /** seed of the population's draw beyond the canonical agents */
  seed: int(0).default(11),
  /** holding horizons of the agents (bars) and the horizons each proposal's outcome is recorded at */
  horizons: z.array(int(1)).min(1).default([1, 4, 24]),
  /** bars per scoring window: agents are scored, the model refitted and adoption revised at each window's end */
  window: int(2).default(24),
  /** agents adopted at most */
  topK: int(1).default(5),
  /** scored windows an agent needs before it can be adopted */
  minWindows: int(1).default(5),
  /** (statistics, next-window Sharpe) pairs the score model needs before it predicts; until then: cash */
  minPairs: int(1).default(64),
  /** shrinkage of a prediction towards the prior, in windows: (n x predicted + shrinkage x prior) / (n + shrinkage) */
  shrinkage: nonneg().default(10),
  /** prior per-bar Sharpe of an agent (0: no skill until shown) */
  prior: z.number().default(0),
  /**
   * hurdle: only agents whose shrunk predicted Sharpe, annualised, exceeds this are adopted. Window Sharpes are
   * noisy (a day of hourly bars): with no skill anywhere the predictions still scatter by a few units annualised,
   * and this hurdle is what keeps such a population in cash (see docs/contest.md)
   */
  minSharpe: nonneg().default(1.5),
  /** ridge penalty on the standardised statistics, in units of the pairs' weight */
  ridge: pos('ridge').default(3),
  /** per-window decay of the score model's past pairs (1: never forget) */
  forgetting: frac().default(0.98),
  /** proportional: weights proportional to positive predicted Sharpe; covariance: shrunk-covariance mean-variance weights, clipped at 0 */
  allocation: z.enum(CONTEST_ALLOCATIONS).default('proportional'),
  /**
   * what the contest holds when no agent clears the hurdle, and what agents are scored against. cash: rewards as
   * they are, nobody adopted means no position. equal: the benchmark agent (equal weights over every expert, the
   * shortest horizon: the equal-weight strategy's own target) is held, and every agent is scored, predicted and
   * adopted on its reward minus the benchmark's, so an agent displaces the benchmark only when it is predicted to
   * beat it (docs/contest.md, "Benchmark"). Default equal: with the track record the rule stated before looking
   * points to cash (+0.17 vs +0.04 over the real-set rows, within noise), but that contest was in the market on at
   * most 0.4% of any real set's test bars; docs/contest.md says why equal stays
   */
  benchmark: z.enum(CONTEST_BENCHMARKS).default('equal'),
  /** covariance shrinkage towards its diagonal, [0, 1] */
  covShrink: z.number().min(0).max(1, { error: 'must be in [0,1]' }).default(0.5),
  /**
   * the score model's own record: the book it chose at each window's end is followed over the next window whether
   * or not it was traded, and its choice is traded only while the t-statistic of that book's reward relative to
   * the fallback, over the last `windows` windows, is at least `minT`; otherwise the fallback is held
   * (docs/contest.md, "Track record"). windows 0: no record, every choice is traded
   */
  /**
   * how a trusted choice is held. blend: lambda = max(0, 1 - 1/t^2) of it beside 1 - lambda of the fallback (the
   * benchmark, or cash), t the track record's t-statistic (without a record: all of it), the positive-part shrinkage
   * of an estimated mean towards 0, so a choice on weak evidence takes a small share of the book; switch: all of it
   * (before 2026-12-07). The record follows the whole choice either way, so t does not depend on this
   */
  adoption: z.enum(CONTEST_ADOPTIONS).default('blend'),
  trackRecord: z
    .strictObject({
      /** 0 (off) or at least 5: the record's t-statistic needs 5 windows (MIN_RECORD_WINDOWS, @arena/contest) */
      windows: int(0)
        .refine((w) => w === 0 || w >= 5, { error: 'must be 0 (no track record) or >= 5 (the t-statistic needs 5 windows)' })
        .default(20),
      /** one-sided 95% under a normal null */
      minT: z.number().default(1.645),
    })
    .prefault({}),
  dataTeam: z
    .strictObject({
      /** factor producers: selector variants; their factors are scored by rank IC and the best one's selection feeds the learned expert and the router */
      variants: z.array(DataTeamVariant).default([{}, { window: 250, clusters: 4 }, { window: 500, clusters: 4, topK: 6 }]),
      /** forward-return horizon of the rank IC, bars */
      horizon: int(1).default(4),
      /** trailing windows of IC a factor is ranked on */
      icWindows: int(1).default(10),
    })
    .prefault({}),
});

/**
 * A user's expert (docs/experts.md, "Write your own expert"): a module in the user's folder whose default export is an
 * ExpertSpec (@arena/experts). Its name joins EXPERT_NAMES after the built-in ones, in the order listed here.
 */
export const CustomExpertParams = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: 'must be lower-case letters, digits, - or _ (at most 32), starting with a letter' })
    .refine((n) => !(EXPERT_NAMES as readonly string[]).includes(n), { error: `is a built-in expert's name (${EXPERT_NAMES.join(', ')})` }),
  /** path of the module (.ts, .mts, .js or .mjs); relative paths resolve against the config file's folder, else the working directory */
  module: z.string().min(1),
  /** values for the parameters the module declares (checked against its declaration when it loads) */
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  /** its static weight (router.mode static), like experts.weights for the built-in ones */
  weight: nonneg().default(0.2),
});
export type CustomExpertParams = z.infer<typeof CustomExpertParams>;

/**
 * A protective exit rule set (docs/orders.md). Each level is a fraction of the entry price (`stopLoss: 0.05` = 5%
 * below a long's entry) or a multiple of the asset's ATR at entry (`stopLossAtr: 3`); when both are given the
 * nearer level wins. Absent: no such exit.
 */
export const ExitRule = z.strictObject({
  stopLoss: frac().optional(),
  stopLossAtr: pos('stopLossAtr').optional(),
  takeProfit: pos('takeProfit').optional(),
  takeProfitAtr: pos('takeProfitAtr').optional(),
  /** trailing stop: this fraction (or ATR multiple) behind the best price since entry */
  trailingStop: frac().optional(),
  trailingStopAtr: pos('trailingStopAtr').optional(),
  /** the trailing stop arms once the best price is this fraction past the entry (absent: 0, from the entry on; an expert's own set: the global value) */
  trailingActivation: nonneg().optional(),
  /** close a position after this many bars (at the next open, as a market order) */
  timeStop: int(1).optional(),
});
export type ExitRule = z.infer<typeof ExitRule>;

export const ExitsParams = z.strictObject({
  ...ExitRule.shape,
  /** ATR window (Wilder), bars */
  atrPeriod: int(1).default(14),
  /** after a protective exit the asset stays flat until the target changes sign, or for at most this many bars (absent: until the sign changes) */
  cooldown: int(1).optional(),
  /** rule sets by expert name, overriding the global one for positions that expert dominated at entry */
  experts: z.record(z.string(), ExitRule).default({}),
});
export type ExitsParams = z.infer<typeof ExitsParams>;

export const MarketParams = z.strictObject({
  /** spot: positions are bought and sold outright; perp: perpetual futures with margin, liquidation and funding */
  kind: z.enum(['spot', 'perp']).default('spot'),
  /** perp: the leverage each position is opened at (its isolated margin is notional / leverage) */
  leverage: pos('leverage').default(1),
  /** perp: the exchange's maximum leverage; leverage above it is a config error */
  maxLeverage: pos('maxLeverage').default(20),
  /** perp: maintenance margin rate of a position's notional */
  maintenanceMargin: z.number().gt(0, { error: 'must be in (0,0.5)' }).lt(0.5, { error: 'must be in (0,0.5)' }).default(0.005),
  /** perp: the folder of funding files (`ts,funding_rate` per symbol) to settle from (default: the funding/ folder beside the bars); Kafka and live sources need it to settle funding */
  fundingDir: z.string().min(1).optional(),
  /** perp: the liquidation fee, a fraction of the notional at the liquidation price (Binance keeps the remaining maintenance margin) */
  liquidationFee: nonneg().max(0.1, { error: 'must be <= 0.1' }).default(0.005),
});
export type MarketParams = z.infer<typeof MarketParams>;

const weights = z
  .partialRecord(z.enum(EXPERT_NAMES), nonneg())
  .refine((w) => Object.values(w).some((v) => v > 0), { error: 'at least one expert weight must be > 0' });

export const ArenaConfig = z.strictObject({
  data: z
    .strictObject({
      /** folder of candle files; absent means the synthetic market */
      dir: z.string().min(1).optional(),
      symbols: z.array(z.string().min(1)).min(1).optional(),
      /** bar timeframe; coarser than the files resamples; absent: the files' own */
      timeframe: z.enum(TIMEFRAMES).optional(),
      timerange: z.string().optional(),
      /** stop at the first bad row instead of skipping it with a report */
      strict: z.boolean().default(false),
    })
    .prefault({}),
  synthetic: z
    .strictObject({
      seed: int(0).default(42),
      assets: int(1).max(64, { error: 'must be <= 64' }).default(6),
      bars: int(50).default(6000),
      timeframe: z.enum(TIMEFRAMES).default('1h'),
    })
    .prefault({}),
  experts: z
    .strictObject({
      weights: weights.default({ trend: 0.2, reversal: 0.2, breakout: 0.2, positioning: 0.2, learned: 0.2 }),
      trend: TrendParams.prefault({}),
      reversal: ReversalParams.prefault({}),
      breakout: BreakoutParams.prefault({}),
      positioning: PositioningParams.prefault({}),
      learned: LearnedParams.prefault({}),
      /** the user's own experts (at most 26: a contest agent's subset of all experts is a 32-bit mask) */
      custom: z
        .array(CustomExpertParams)
        .max(26, { error: 'at most 26 custom experts' })
        .refine((c) => new Set(c.map((x) => x.name)).size === c.length, { error: 'names must be unique' })
        .default([]),
      /**
       * ms one bar (every asset of it) of one user expert may take: each user expert runs on a thread of its own, and
       * one that takes longer (a step that never returns) is stopped and disabled from that bar on, like one that
       * throws. 0: user experts run on the pipeline's thread, without a limit (an endless loop freezes it)
       */
      userTimeoutMs: int(0).default(1000),
    })
    .prefault({}),
  router: RouterParams.prefault({}),
  contest: ContestParams.prefault({}),
  portfolio: z
    .strictObject({
      /** |weight| cap per asset, fraction of equity */
      maxPerAsset: frac().default(0.5),
      /** sum of |weights| cap */
      maxGross: pos('maxGross').max(10, { error: 'must be <= 10' }).default(1),
      longOnly: z.boolean().default(false),
      /** skip a rebalance when |target - current| weight is below this fraction of the asset's slot (maxGross / nAssets) */
      noTradeBand: z.number().min(0).lt(1, { error: 'must be in [0,1)' }).default(0.1),
      /** skip orders smaller than this notional, quote currency */
      minNotional: nonneg().default(10),
      /** past the band, trade to the target ('target') or only to the band's edge nearest it ('edge': the solution of
       * a projection with an L1 turnover penalty as wide as the band; closing out and flipping sides trade in full) */
      rebalance: z.enum(['edge', 'target']).default('edge'),
      /** the band also covers this multiple of a round trip's cost over the asset's volatility across `costHorizon`
       * bars (a move the costs would eat is not worth making); 0: the fixed band only. 2 halves equal weights'
       * turnover on crypto spot 1h against the old execution at a Sharpe at least as good on five data sets (docs/backtest.md) */
      costBand: nonneg().default(2),
      /** bars of the horizon a trade is held over, for costBand */
      costHorizon: int(1).default(24),
    })
    .prefault({}),
  exits: ExitsParams.prefault({}),
  market: MarketParams.prefault({}),
  risk: z
    .strictObject({
      /** kill switch: drawdown from the equity peak at which the book is flattened and trading pauses */
      maxDrawdown: frac().default(0.25),
      /** kill switch: loss since the day's first bar (UTC) at which the book is flattened and trading pauses for the day */
      maxDailyLoss: frac().default(0.05),
    })
    .prefault({}),
  broker: z
    .strictObject({
      initialCash: pos('initialCash').default(100_000),
      /** taker fee, basis points of notional */
      feeBps: nonneg().default(10),
      /** half the bid-ask spread, basis points */
      halfSpreadBps: nonneg().default(2),
      /** impact = coef x bar volatility x sqrt(participation) */
      impactCoef: nonneg().default(0.5),
      /** at most this fraction of a bar's volume is filled; the rest is cancelled */
      maxParticipation: frac().default(0.1),
    })
    .prefault({}),
});

export type ArenaConfig = z.infer<typeof ArenaConfig>;

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `${path ? `${path}.` : ''}${k} is not a known key`).join('; ');
  }
  return `${path || '(root)'} ${issue.message}`;
}

/** Every expert a config runs, built-in ones first (EXPERT_NAMES), then the user's in their listed order. */
export function expertNames(config: Pick<ArenaConfig, 'experts'>): readonly string[] {
  return config.experts.custom.length === 0 ? EXPERT_NAMES : [...EXPERT_NAMES, ...config.experts.custom.map((c) => c.name)];
}

/** Parses a config object; throws ARENA_E_CONFIG naming every offending key at once. */
export function parseConfig(input: unknown): ArenaConfig {
  const r = ArenaConfig.safeParse(input ?? {});
  if (r.success) {
    if (r.data.experts.trend.fast >= r.data.experts.trend.slow) {
      throw arenaError(ERR.CONFIG, 'experts.trend.fast must be < experts.trend.slow');
    }
    const m = r.data.market;
    if (m.kind === 'perp' && m.leverage > m.maxLeverage) throw arenaError(ERR.CONFIG, `market.leverage ${m.leverage} is above market.maxLeverage ${m.maxLeverage}`);
    if (m.kind === 'perp' && r.data.portfolio.maxGross > m.leverage) {
      throw arenaError(ERR.CONFIG, `portfolio.maxGross ${r.data.portfolio.maxGross} needs more margin than market.leverage ${m.leverage} gives: raise the leverage or lower maxGross`);
    }
    const known = expertNames(r.data);
    const unknown = Object.keys(r.data.exits.experts).filter((n) => !known.includes(n));
    if (unknown.length > 0) throw arenaError(ERR.CONFIG, `exits.experts.${unknown[0]} is not an expert of this config (${known.join(', ')})`);
    return r.data;
  }
  throw arenaError(ERR.CONFIG, r.error.issues.map(describe).join('; '));
}
