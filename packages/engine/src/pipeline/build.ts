/**
 * The stage builder: from a config, the market's shape and the loaded models, the parts of a Pipeline. Stepped
 * (the daemon; a backtest that asks for it): the shared features stage, the rule experts and the learned expert
 * bar by bar, the router bar by bar. Precomputed (a backtest, an eval): the same stages run over the whole panel
 * first (ExpertSeries, a RoutingSeries from the router's batch path) and read row by row. Both give the same steps.
 */
import { type ArenaConfig, type BarPanel, EXPERT_NAMES, type Timeframe, expertNames, timeframeMs } from '@arena/core';
import { type ContestSink, ContestStepper, DataTeamStage, type DataTeamVariantStage, dataTeamVariants, researchTeam } from '@arena/contest';
import { type ChainedNet, type ExpertFaultRecord, type ExpertSeries, LearnedExpert, LearnedStream, type UserExpert, UserExpertsStage, createExperts, runExpertBatch } from '@arena/experts';
import { runUserExperts } from './userRuns.ts';
import { OnlineFeatures, type SelectionRunner, SelectionsAhead, type SelectorConfigInput, panelBar } from '@arena/features';
import { EqualRouter, ModelRouter, type Router, RouterStage, RoutingBatch, type RoutingSeries, StaticRouter } from '@arena/router';
import { expertWeights } from '../staticWeights.ts';
import { contestSettings } from '../contest/stage.ts';
import { GrowingPanel } from '../paper/growingPanel.ts';
import { type BarHistory, Pipeline } from './pipeline.ts';
import { type ExpertsStage, FixedWeights, PrecomputedExperts, PrecomputedWeights, SteppedExperts, SteppedRouter, type WeightsStage } from './stages.ts';

/** The models a pipeline runs: the learned expert's net (absent or flat: it holds 0), the configured router, the user's experts. */
export interface PipelineModels {
  readonly learned?: LearnedExpert;
  /**
   * `arena eval --train`: convnets trained per fold, each deciding from its `from` row of the evaluated panel (the
   * learned expert holds 0 before the first); `learned` then fixes only the shape, the selector and the scale.
   */
  readonly learnedChain?: readonly ChainedNet[];
  readonly router: Router;
  /** the user's experts (experts.custom), loaded and probed */
  readonly user?: readonly UserExpert[];
}

export interface BuildOptions {
  readonly config: ArenaConfig;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly periodsPerYear: number;
  readonly history: BarHistory;
  readonly models: PipelineModels;
  readonly hasFunding: boolean;
  /** where selections run (default: in this thread) */
  readonly runner?: SelectionRunner;
  /** where the contest's record goes */
  readonly contestSink?: ContestSink;
  /** stages computed over the whole panel beforehand (precompute()) */
  readonly precomputed?: Precomputed;
}

/** The data team's variants, when the contest runs with one (the base is the learned expert's selector). */
function teamOf(config: ArenaConfig, models: PipelineModels): DataTeamVariantStage[] {
  if (!config.contest.enabled || config.contest.dataTeam.variants.length === 0) return [];
  return dataTeamVariants(models.learned?.net.card.selector ?? {}, config.contest.dataTeam);
}

/** The selectors the features stage runs: the learned expert's, the router's and the data team's (equal configs share a stream). */
function selectors(models: PipelineModels, team: readonly DataTeamVariantStage[]): Record<string, SelectorConfigInput> {
  const out: Record<string, SelectorConfigInput> = {};
  if (models.learned !== undefined) out['learned'] = models.learned.net.card.selector;
  if (models.router instanceof ModelRouter && models.router.loaded.card.features.length > 0) out['router'] = models.router.loaded.card.selector;
  for (const v of team) out[v.selector] = v.config;
  return out;
}

/** The features stage and the data team over it, with the masks the learned expert and the router read. */
interface FeaturesStage {
  readonly online: OnlineFeatures;
  readonly team?: DataTeamStage;
  readonly learnedMask: () => Float32Array | undefined;
  readonly routerMask: () => Float32Array | undefined;
}

function newFeatures(o: { config: ArenaConfig; symbols: readonly string[]; timeframe: Timeframe; hasFunding: boolean; models: PipelineModels; runner?: SelectionRunner }): FeaturesStage | undefined {
  const variants = teamOf(o.config, o.models);
  const sel = selectors(o.models, variants);
  if (Object.keys(sel).length === 0) return undefined;
  const keep = Math.max(1, o.models.learned?.net.card.spec.window ?? 1);
  const online = new OnlineFeatures(o.symbols, o.timeframe, { hasFunding: o.hasFunding, keep, selectors: sel, ...(o.runner ? { runner: o.runner } : {}) });
  const team = variants.length > 0 ? new DataTeamStage(online, variants, o.config.contest.dataTeam, o.config.contest.window, o.timeframe) : undefined;
  // with a data team, the learned expert and the router read the selection of the variant it chose
  return {
    online,
    ...(team ? { team } : {}),
    learnedMask: team ? () => team.mask() : () => online.mask('learned'),
    routerMask: team ? () => team.mask() : () => online.mask('router'),
  };
}

function fixedWeights(router: Router, config: ArenaConfig, nAssets: number): WeightsStage | undefined {
  const E = expertNames(config).length;
  if (router instanceof StaticRouter) return new FixedWeights('static', expertWeights(config), nAssets);
  if (router instanceof EqualRouter) return new FixedWeights('equal', new Float64Array(E).fill(1 / E), nAssets);
  return undefined;
}

function contestOf(config: ArenaConfig, symbols: readonly string[], timeframe: Timeframe, periodsPerYear: number, sink: ContestSink | undefined): ContestStepper | undefined {
  if (!config.contest.enabled) return undefined;
  return new ContestStepper({
    agents: researchTeam(config.contest.agents, { seed: config.contest.seed, horizons: config.contest.horizons, names: expertNames(config) }),
    experts: expertNames(config),
    settings: contestSettings(config),
    horizons: config.contest.horizons,
    nAssets: symbols.length,
    symbols,
    barMs: timeframeMs(timeframe),
    periodsPerYear,
    cost: (config.broker.feeBps + config.broker.halfSpreadBps) / 1e4,
    slot: config.portfolio.maxGross / symbols.length,
    ...(sink ? { sink } : {}),
  });
}

/** A pipeline whose model stages step bar by bar (the daemon's). */
export function buildPipeline(o: BuildOptions): Pipeline {
  const A = o.symbols.length;
  const ctx = { nAssets: A, periodsPerYear: o.periodsPerYear };
  const contest = contestOf(o.config, o.symbols, o.timeframe, o.periodsPerYear, o.contestSink);
  if (o.precomputed !== undefined) {
    return new Pipeline({
      config: o.config,
      history: o.history,
      periodsPerYear: o.periodsPerYear,
      experts: new PrecomputedExperts(o.precomputed.experts, A, o.precomputed.faults),
      weights: new PrecomputedWeights(o.precomputed.routing, A, o.precomputed.experts.length),
      ...(contest ? { contest } : {}),
    });
  }
  const features = newFeatures({ ...o, ...(o.runner ? { runner: o.runner } : {}) });
  const learned = o.models.learned;
  const experts: ExpertsStage = new SteppedExperts(o.config, ctx, learned !== undefined && features !== undefined ? { stream: new LearnedStream(learned.net, features.online, learned.scale, o.models.learnedChain), mask: features.learnedMask } : undefined, userOf(o.config, o.models));
  const router = o.models.router;
  let weights = fixedWeights(router, o.config, A);
  if (weights === undefined) {
    if (!(router instanceof ModelRouter)) throw new Error(`the ${router.source} router does not step bar by bar yet; precompute it (a backtest) or use --router model`);
    const reads = router.loaded.card.features.length > 0 && features !== undefined;
    weights = new SteppedRouter(new RouterStage(router, A, o.timeframe), reads ? { online: features.online, mask: features.routerMask } : undefined);
  }
  return new Pipeline({
    config: o.config,
    history: o.history,
    periodsPerYear: o.periodsPerYear,
    ...(features ? { features: features.online } : {}),
    ...(learned !== undefined ? { reportSelection: 'learned' } : {}),
    experts,
    weights,
    ...(contest ? { contest } : {}),
    ...(features?.team ? { dataTeam: features.team } : {}),
  });
}

/** A daemon's pipeline: a growing panel for its history; without models, the config's static weights and no learned expert. */
export function daemonPipeline(o: Omit<BuildOptions, 'history' | 'models' | 'hasFunding'> & { readonly models?: PipelineModels; readonly hasFunding?: boolean }): Pipeline {
  return buildPipeline({ ...o, history: new GrowingPanel(o.symbols, o.timeframe), models: o.models ?? { router: new StaticRouter(o.config.experts.weights) }, hasFunding: o.hasFunding ?? false });
}

/** The loaded user experts a config names, in its order (a config without experts.custom: none). */
function userOf(config: ArenaConfig, models: PipelineModels): readonly UserExpert[] {
  const names = config.experts.custom.map((c) => c.name);
  const user = models.user ?? [];
  if (user.map((u) => u.name).join(',') !== names.join(',')) throw new Error(`the config names user experts [${names.join(', ')}], the loaded models hold [${user.map((u) => u.name).join(', ')}]`);
  return user;
}


/** Stage outputs over a whole panel, computed before stepping (what a precomputed pipeline reads). */
export interface Precomputed {
  /** the built-in experts (EXPERT_NAMES order), then the user's */
  readonly experts: readonly ExpertSeries[];
  /** the user experts' faults (each disabled it from its bar on); none when absent */
  readonly faults?: readonly ExpertFaultRecord[];
  readonly routing: RoutingSeries;
  /** the learned expert's selections, each with the bar it took over at */
  readonly selections: LearnedExpert['lastSelections'];
  /** the data team's run, when the contest has one */
  readonly dataTeam?: DataTeamStage;
}

/** Bars from which precompute() selects ahead in a worker by default (below, the worker's start costs more than it saves). */
export const AHEAD_MIN_BARS = 2000;

export interface PrecomputeOptions {
  readonly onProgress?: (stage: string, done: number, total: number) => void;
  /**
   * Where the selections run: 'ahead' in a worker that runs the features stage over the panel ahead of this loop
   * (SelectionsAhead), 'inline' in this thread; the same selections either way. Default: ahead from AHEAD_MIN_BARS bars.
   */
  readonly selections?: 'ahead' | 'inline';
}

/**
 * The stateless stages over every bar of a (validated) panel at once: the rule experts in their batch pass, the
 * features stage and the learned expert stepped over every row (selections ahead in a worker, or in this thread),
 * the router's batch path fed each row in the same loop. Each is the stepped stage's code over all rows, so a
 * pipeline reading these rows takes the steps a stepped one takes (test/parity.e2e.test.ts).
 */
export async function precompute(panel: BarPanel, config: ArenaConfig, models: PipelineModels, funding: Float64Array | undefined, o: PrecomputeOptions = {}): Promise<Precomputed> {
  const A = panel.nAssets;
  const T = panel.nTimes;
  const ctx = { nAssets: A, periodsPerYear: panel.periodsPerYear() };
  const rules = createExperts(config.experts);
  const learnedIndex = EXPERT_NAMES.indexOf('learned');
  const experts: ExpertSeries[] = rules.map((x, e) => (e === learnedIndex ? { name: 'learned', exposure: new Float64Array(T * A), confidence: new Float64Array(T * A) } : runExpertBatch(x, panel, ctx)));
  const user = runUserExperts(panel, userOf(config, models), ctx, config.experts.userTimeoutMs);
  experts.push(...user.series);
  const wanted = selectors(models, teamOf(config, models));
  const ahead =
    Object.keys(wanted).length > 0 && (o.selections ?? (T >= AHEAD_MIN_BARS ? 'ahead' : 'inline')) === 'ahead'
      ? new SelectionsAhead({ bars: { symbols: panel.symbols, timeframe: panel.timeframe, ts: panel.ts, open: panel.open, high: panel.high, low: panel.low, close: panel.close, volume: panel.volume, present: panel.present, ...(funding ? { funding } : {}) }, selectors: wanted })
      : undefined;
  const features = newFeatures({ config, symbols: panel.symbols, timeframe: panel.timeframe, hasFunding: funding !== undefined, models, ...(ahead ? { runner: ahead } : {}) });
  const learned = models.learned;
  const router = models.router;
  const readsFeatures = router instanceof ModelRouter && router.loaded.card.features.length > 0 && features !== undefined;
  const exposures = experts.map((x) => x.exposure);
  // the model router's batch path, fed each bar once the bar's learned exposure is in: its net runs in the loop
  const routing = router instanceof ModelRouter ? new RoutingBatch(router, panel, exposures) : undefined;
  try {
    // the worker starts once every stage is assembled, and stops with the loop however it ends
    ahead?.start();
    if (features !== undefined) {
      const stream = learned ? new LearnedStream(learned.net, features.online, learned.scale, models.learnedChain) : undefined;
      const input = { panel, ...(funding ? { funding } : {}) };
      const out = experts[learnedIndex]!;
      for (let t = 0; t < T; t++) {
        if (ahead) await features.online.push(panelBar(input, t));
        else features.online.pushSync(panelBar(input, t));
        if (stream !== undefined) {
          stream.update(features.learnedMask(), panel.present.subarray(t * A, (t + 1) * A));
          out.exposure.set(stream.exposure, t * A);
          out.confidence.set(stream.confidence, t * A);
        }
        // the router reads the bar's z-scores and the mask in effect (its own selection, or the data team's)
        if (routing !== undefined) await routing.push(t, readsFeatures ? features.online.z.row(t) : undefined, readsFeatures ? features.routerMask() : undefined);
        features.team?.step(panel.ts[t]!, panel.close.subarray(t * A, (t + 1) * A), panel.present.subarray(t * A, (t + 1) * A));
        if (o.onProgress && (t & 1023) === 0) o.onProgress('features', t, T);
      }
      o.onProgress?.('features', T, T);
    }
  } finally {
    await ahead?.close();
  }
  let routed: RoutingSeries;
  if (routing !== undefined) {
    // no features stage: the router reads none, and every bar is fed here
    for (let t = routing.next; t < T; t++) await routing.push(t, undefined, undefined);
    routed = await routing.finish();
  } else routed = await router.route(panel, exposures, funding);
  return { experts, faults: user.faults, routing: routed, selections: features !== undefined && learned !== undefined ? features.online.selector('learned').history : [], ...(features?.team ? { dataTeam: features.team } : {}) };
}
