/** A backtest: the experts over the whole panel in one batch, the main strategy, and the baselines beside it. */
import { type ArenaConfig, type BarPanel, EXPERT_NAMES } from '@arena/core';
import { type Expert, type ExpertSeries, createExperts, runExpertBatch } from '@arena/experts';
import { type RoutingSeries, chartPng } from '@arena/router';
import type { ContestRun } from '@arena/contest';
import { auditRecords } from './audit.ts';
import type { ContestSummary } from './contest/summary.ts';
import type { BacktestResult, ComputeInfo, DecisionChart, StrategyRun } from './result.ts';
import { summariseRouting } from './routingSummary.ts';
import { simulate } from './simulate.ts';

export interface BacktestInput {
  readonly panel: BarPanel;
  readonly config: ArenaConfig;
  /** 'synthetic seed=42' or the data folder as given */
  readonly source: string;
  readonly dataIssues?: { errors: number; warnings: number };
  /** run the baselines (buy and hold, each expert alone, equal weight) too; default true */
  readonly baselines?: boolean;
  /** the experts' outputs when already computed (e.g. on the tensor kernels); default: streaming batch here */
  readonly experts?: readonly ExpertSeries[];
  /** the router's weights per bar and asset; without it the static config weights combine the experts */
  readonly routing?: RoutingSeries;
  /** the contest over the panel: its target replaces the router's combination as the strategy (the router's run becomes a baseline) */
  readonly contest?: { readonly run: ContestRun; readonly summary: ContestSummary };
  /** decisions whose chart is embedded (as PNG) in the report, the latest ones; default 8 */
  readonly decisionCharts?: number;
  /** how the numbers were computed, for the report (backend, experts path) */
  readonly compute?: ComputeInfo;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** Normalised static weights in EXPERT_NAMES order. */
export function expertWeights(config: ArenaConfig): Float64Array {
  const w = new Float64Array(EXPERT_NAMES.length);
  let sum = 0;
  EXPERT_NAMES.forEach((name, i) => {
    const v = config.experts.weights[name] ?? 0;
    w[i] = v;
    sum += v;
  });
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

export function fillAssumptions(config: ArenaConfig): string {
  const b = config.broker;
  const p = config.portfolio;
  return (
    `Orders decided at a bar's close fill at the next bar's open; taker fee ${b.feeBps} bps of notional; ` +
    `slippage = ${b.halfSpreadBps} bps half-spread + ${b.impactCoef} x bar volatility x sqrt(participation); ` +
    `at most ${b.maxParticipation * 100}% of the fill bar's volume, the rest cancelled; missing bars never trade; ` +
    `no-trade band ${p.noTradeBand} of an asset's slot (maxGross / assets), min notional ${p.minNotional}; ` +
    `${p.longOnly ? 'long only' : 'shorts allowed'}, gross <= ${p.maxGross}, per asset <= ${p.maxPerAsset}; ` +
    `no funding, borrow or margin costs.`
  );
}

/** Runs every expert over the panel (batch mode: one pass per expert over all bars); learned: the loaded model. */
export function computeExperts(panel: BarPanel, config: ArenaConfig, learned?: Expert): ExpertSeries[] {
  const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
  return createExperts(config.experts, learned).map((e) => runExpertBatch(e, panel, ctx));
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

export function runBacktest(input: BacktestInput): BacktestResult {
  const { panel, config } = input;
  const progress = input.onProgress;
  const experts = input.experts ?? computeExperts(panel, config);
  const routing = input.routing;
  const weights = routing ? meanOf(routing.weights, experts.length) : expertWeights(config);
  const attribution = new Float64Array(experts.length);
  const main = simulate({
    name: 'strategy',
    panel,
    experts,
    weights,
    ...(routing ? { dynamicWeights: routing.weights } : {}),
    ...(input.contest ? { exposure: input.contest.run.exposure } : {}),
    config,
    attribution,
    ...(progress ? { onProgress: (d: number, n: number) => progress('strategy', d, n) } : {}),
  });
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
    if (input.contest && routing) {
      baselines.push(simulate({ name: 'router_only', panel, experts, weights, dynamicWeights: routing.weights, config, ...(progress ? { onProgress: (d: number, n: number) => progress('router_only', d, n) } : {}) }));
    }
    if (routing !== undefined && routing.source !== 'static') run('static_weights', experts, expertWeights(config));
  }
  const decisions = routing ? auditRecords(panel, experts, routing, main, routing.chart.window, input.contest?.run) : undefined;
  const charts: DecisionChart[] = [];
  if (routing && decisions) {
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
    expertAttribution: experts.map((e, i) => ({ expert: e.name, weight: weights[i]!, pnl: attribution[i]! })),
    baselines,
    fillAssumptions: fillAssumptions(config),
    dataIssues: input.dataIssues ?? { errors: 0, warnings: 0 },
    compute: input.compute ?? { backend: 'none', experts: 'streaming', note: 'experts stepped bar by bar in one batch pass' },
    ...(routing ? { routing: summariseRouting(panel, routing), decisions: decisions!, decisionCharts: charts } : {}),
    ...(input.contest ? { contest: input.contest.summary } : {}),
  };
}
