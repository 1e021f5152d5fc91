/** A backtest: the pipeline over every bar of a panel, its record, and the baselines beside it. */
import { type ArenaConfig, type BarPanel, expertNames } from '@arena/core';
import type { ContestRun, ContestSink, DataTeamStage } from '@arena/contest';
import { type Expert, type ExpertFaultRecord, type ExpertSeries, type UserExpert, createExperts, runExpertBatch } from '@arena/experts';
import { panelBar } from '@arena/features';
import { DEFAULT_CHART, ModelRouter, type RoutingSeries, StaticRouter, chartPng } from '@arena/router';
import { auditRecords } from './audit.ts';
import { summariseDataTeam } from './contest/stage.ts';
import { summariseContest } from './contest/summary.ts';
import { type PipelineModels, type Precomputed, buildPipeline, precompute } from './pipeline/build.ts';
import { runUserExperts } from './pipeline/userRuns.ts';
import { type BarRow, PanelHistory, type Pipeline } from './pipeline/pipeline.ts';
import { StepRecorder } from './pipeline/recorder.ts';
import type { BacktestResult, ComputeInfo, DecisionChart, StrategyRun } from './result.ts';
import { summariseRouting } from './routingSummary.ts';
import { simulate } from './simulate.ts';
import { expertWeights } from './staticWeights.ts';

export interface BacktestInput {
  /** the market, its bars validated (validatePanel): a bad cell is absent, as a daemon's source leaves it */
  readonly panel: BarPanel;
  readonly config: ArenaConfig;
  /** 'synthetic seed=42' or the data folder as given */
  readonly source: string;
  readonly dataIssues?: { errors: number; warnings: number };
  /** run the baselines (buy and hold, each expert alone, equal weight) too; default true */
  readonly baselines?: boolean;
  /** the learned expert and the router; default: the config's static weights and no learned expert */
  readonly models?: PipelineModels;
  /** the trained router beside an equal or static strategy: its own baseline row, `router` */
  readonly comparisonRouter?: ModelRouter;
  /** funding rates aligned on the panel (perpetuals), for the features */
  readonly funding?: Float64Array;
  /** funding settled at each bar's open (perpetuals, market.kind perp), for the broker */
  readonly fundingDue?: Float64Array;
  /** the stateless stages over the whole panel, computed beforehand (default: precompute() here) */
  readonly precomputed?: Precomputed;
  /** step every stage bar by bar as the daemon does (slower; the same result) instead of precomputing */
  readonly stepped?: boolean;
  /** where the contest's record goes */
  readonly contestSink?: ContestSink;
  /** decisions whose chart is embedded (as PNG) in the report, the latest ones; default 8 */
  readonly decisionCharts?: number;
  /** how the numbers were computed, for the report (backend, experts path) */
  readonly compute?: ComputeInfo;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export function fillAssumptions(config: ArenaConfig): string {
  const b = config.broker;
  const p = config.portfolio;
  return (
    `Orders decided at a bar's close fill at the next bar's open; taker fee ${b.feeBps} bps of notional; ` +
    `slippage = ${b.halfSpreadBps} bps half-spread + ${b.impactCoef} x bar volatility x sqrt(participation); ` +
    `at most ${b.maxParticipation * 100}% of the fill bar's volume, the rest cancelled; missing bars never trade; ` +
    `no-trade band ${p.noTradeBand} of an asset's slot (maxGross / assets)${p.costBand > 0 ? `, widened to ${p.costBand} x a round trip's cost (fee + half-spread, both ways) over the asset's volatility across ${p.costHorizon} bars, at most the slot` : ''}; ` +
    `past it an order goes ${p.rebalance === 'edge' ? "to the band's edge" : 'to the target'} (closing out and flipping always go to the target); min notional ${p.minNotional}; ` +
    `${p.longOnly ? 'long only' : 'shorts allowed'}, gross <= ${p.maxGross}, per asset <= ${p.maxPerAsset}; ` +
    `${exitsText(config)}; ${marketText(config)}.`
  );
}

function exitsText(config: ArenaConfig): string {
  const x = config.exits;
  const parts = [
    x.stopLoss !== undefined ? `stop-loss ${x.stopLoss * 100}%` : '',
    x.stopLossAtr !== undefined ? `stop-loss ${x.stopLossAtr} ATR` : '',
    x.takeProfit !== undefined ? `take-profit ${x.takeProfit * 100}%` : '',
    x.takeProfitAtr !== undefined ? `take-profit ${x.takeProfitAtr} ATR` : '',
    x.trailingStop !== undefined ? `trailing stop ${x.trailingStop * 100}%` : '',
    x.trailingStopAtr !== undefined ? `trailing stop ${x.trailingStopAtr} ATR` : '',
    x.timeStop !== undefined ? `time stop ${x.timeStop} bars` : '',
  ].filter((s) => s !== '');
  const own = Object.keys(x.experts);
  if (parts.length === 0 && own.length === 0) return 'no protective exits';
  return (
    `protective exits ${parts.length > 0 ? parts.join(', ') : 'none globally'}${own.length > 0 ? ` (own rules: ${own.join(', ')})` : ''}, ` +
    'triggered inside a bar from its high/low (a gap fills at the open; stop before target in one bar), with fees and slippage, not volume-capped (a time stop is a market order at the next open)'
  );
}

function marketText(config: ArenaConfig): string {
  const m = config.market;
  if (m.kind === 'spot') return 'spot: no funding, borrow or margin costs';
  return (
    `perpetuals at ${m.leverage}x (isolated margin = notional / ${m.leverage}), maintenance margin ${m.maintenanceMargin * 100}%, ` +
    `liquidation at the liquidation price with a ${m.liquidationFee * 100}% fee, funding settled at each funding time on the open price`
  );
}

/** Runs every expert over the panel (batch mode: one pass per expert over all bars); learned: the loaded model. */
/** Every expert over a panel: the built-in ones (the learned one as given), then the user's (time-major, as the pipeline runs them). */
export function computeExperts(panel: BarPanel, config: ArenaConfig, learned?: Expert, user: readonly UserExpert[] = []): ExpertSeries[] {
  const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
  return [...createExperts(config.experts, learned).map((e) => runExpertBatch(e, panel, ctx)), ...runUserExperts(panel, user, ctx, config.experts.userTimeoutMs).series];
}

/** Bar t of a panel as the pipeline's row (views, no copies). */
export function panelRow(panel: BarPanel, t: number, funding?: Float64Array, fundingDue?: Float64Array): BarRow {
  const row = panelBar(funding ? { panel, funding } : { panel }, t);
  if (fundingDue === undefined) return row;
  const A = panel.nAssets;
  return { ...row, fundingDue: fundingDue.subarray(t * A, (t + 1) * A) };
}

/** Mean of [cells x k] weights per column (the router's average weights, for the attribution table). */
function meanOf(w: Float32Array, k: number): Float64Array {
  const out = new Float64Array(k);
  const n = w.length / k;
  for (let i = 0; i < n; i++) for (let e = 0; e < k; e++) out[e] = out[e]! + w[i * k + e]!;
  for (let e = 0; e < k; e++) out[e] = n > 0 ? out[e]! / n : 0;
  return out;
}

function constantSeries(panel: BarPanel, value: number): ExpertSeries {
  const n = panel.nTimes * panel.nAssets;
  return { name: 'constant', exposure: new Float64Array(n).fill(value), confidence: new Float64Array(n).fill(1) };
}

/** A panel stepped through the pipeline: the pipeline (its book, attribution) and the record of every step. */
export interface SteppedPanel {
  readonly pipeline: Pipeline;
  /** the contest's data team, when it ran */
  readonly dataTeam?: DataTeamStage;
  readonly experts: ExpertSeries[];
  readonly routing: RoutingSeries;
  /** the exposure per cell the orders aimed at: the weighted combination, or the contest's target */
  readonly target: Float64Array;
  readonly contest?: ContestRun;
  readonly halts: readonly { readonly t: number; readonly reason: string }[];
  /** user experts disabled during the run (they threw or returned garbage at that bar) */
  readonly expertFaults: readonly ExpertFaultRecord[];
}

/**
 * The pipeline over every bar of a panel (the daemon's step, with the stateless stages precomputed over the panel
 * unless `stepped`), recorded in memory. What a backtest and an eval run.
 */
export async function stepPanel(input: Omit<BacktestInput, 'baselines' | 'decisionCharts' | 'compute' | 'dataIssues' | 'source'>): Promise<SteppedPanel> {
  const { panel, config } = input;
  const progress = input.onProgress;
  const models: PipelineModels = input.models ?? { router: new StaticRouter(config.experts.weights, config.experts.custom) };
  const pre = input.precomputed ?? (input.stepped ? undefined : await precompute(panel, config, models, input.funding, progress ? { onProgress: progress } : {}));
  const pipeline = buildPipeline({
    config,
    symbols: panel.symbols,
    timeframe: panel.timeframe,
    periodsPerYear: panel.periodsPerYear(),
    history: new PanelHistory(panel),
    models,
    hasFunding: input.funding !== undefined,
    ...(pre ? { precomputed: pre } : {}),
    ...(input.contestSink ? { contestSink: input.contestSink } : {}),
  });
  const recorder = new StepRecorder(panel, pipeline.contest?.agents, expertNames(config));
  const T = panel.nTimes;
  for (let t = 0; t < T; t++) {
    recorder.record(await pipeline.step(panel.ts[t]!, panelRow(panel, t, input.funding, input.fundingDue)), pipeline);
    if (progress && (t & 1023) === 0) progress('strategy', t, T);
  }
  progress?.('strategy', T, T);
  const router = models.router;
  const routing = recorder.routing(pre?.routing.source ?? router.source, pre?.routing.note ?? router.note, router instanceof ModelRouter ? router.chart : DEFAULT_CHART);
  const contest = recorder.contestRun();
  const dataTeam = pre?.dataTeam ?? pipeline.parts.dataTeam;
  return { pipeline, experts: recorder.experts(), routing, target: recorder.target, ...(contest ? { contest } : {}), ...(dataTeam ? { dataTeam } : {}), halts: recorder.halts, expertFaults: recorder.expertFaults };
}

/** A backtest: the panel stepped through the pipeline, and the baselines replaying its recorded expert exposures. */
export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  const { panel, config } = input;
  const progress = input.onProgress;
  const stepped = await stepPanel(input);
  const { pipeline, experts, routing } = stepped;
  const contestRun = stepped.contest;
  const main = pipeline.book.run('strategy', panel);
  const weights = meanOf(routing.weights, experts.length);
  const baselines: StrategyRun[] = [];
  if (input.baselines !== false) {
    const run = (name: string, series: readonly ExpertSeries[], w: Float64Array, holdOnceEntered = false) =>
      baselines.push(
        simulate({
          name,
          panel,
          experts: series,
          weights: w,
          config,
          holdOnceEntered,
          ...(input.fundingDue ? { fundingDue: input.fundingDue } : {}),
          ...(progress ? { onProgress: (d: number, n: number) => progress(name, d, n) } : {}),
        }),
      );
    run('buy_and_hold', [constantSeries(panel, 1)], Float64Array.of(1), true);
    experts.forEach((e, i) => {
      const onlyThis = new Float64Array(experts.length);
      onlyThis[i] = 1;
      run(`${e.name}_only`, experts, onlyThis);
    });
    run('equal_weight', experts, new Float64Array(experts.length).fill(1 / experts.length));
    const routed = (name: string, w: Float32Array) => baselines.push(simulate({ name, panel, experts, weights, dynamicWeights: w, config, ...(input.fundingDue ? { fundingDue: input.fundingDue } : {}), ...(progress ? { onProgress: (d: number, n: number) => progress(name, d, n) } : {}) }));
    // the trained router beside an equal or static strategy; under the contest, the router the pipeline ran
    if (input.comparisonRouter) routed('router', (await input.comparisonRouter.route(panel, experts.map((e) => e.exposure), input.funding)).weights);
    if (contestRun !== undefined && (routing.source === 'model' || routing.source === 'vlm')) routed('router_only', routing.weights);
    if (routing.source !== 'static') run('static_weights', experts, expertWeights(config));
  }
  const decisions = auditRecords(panel, experts, routing, main, routing.chart.window, contestRun);
  const charts: DecisionChart[] = [];
  {
    const c = routing.chart;
    for (const d of decisions.slice(-(input.decisionCharts ?? 8))) {
      charts.push({ t: d.t, asset: d.asset, png: chartPng(panel, d.t, d.asset, c, 3).toString('base64') });
    }
  }
  return {
    config,
    source: input.source,
    symbols: panel.symbols,
    timeframe: panel.timeframe,
    ts: panel.ts,
    periodsPerYear: panel.periodsPerYear(),
    initialCash: config.broker.initialCash,
    main,
    expertAttribution: experts.map((e, i) => ({ expert: e.name, weight: weights[i]!, pnl: pipeline.attribution[i]! })),
    baselines,
    fillAssumptions: fillAssumptions(config),
    dataIssues: input.dataIssues ?? { errors: 0, warnings: 0 },
    compute: input.compute ?? { backend: 'none', experts: 'streaming', note: 'experts stepped bar by bar in one batch pass' },
    routing: summariseRouting(panel, routing),
    decisions,
    decisionCharts: charts,
    ...(contestRun ? { contest: summariseContest(contestRun, panel.periodsPerYear(), stepped.dataTeam ? summariseDataTeam(stepped.dataTeam) : undefined) } : {}),
    ...(stepped.halts.length > 0 ? { halts: stepped.halts.map((h) => ({ ts: panel.ts[h.t]!, reason: h.reason })) } : {}),
    ...(stepped.expertFaults.length > 0 ? { expertFaults: stepped.expertFaults.map((f) => ({ ts: panel.ts[f.t]!, expert: f.expert, reason: f.reason })) } : {}),
  };
}
