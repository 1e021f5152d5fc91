/** The report model: everything a report shows, built once from a BacktestResult as a plain JSON-ready object. */
import { computeMetrics, type Metrics } from '../metrics.ts';
import type { AuditRecord } from '../audit.ts';
import type { BacktestResult, DecisionChart, StrategyRun } from '../result.ts';
import type { ExitReason } from '../exits.ts';
import type { ContestSummary } from '../contest/summary.ts';
import type { RoutingSummary } from '../routingSummary.ts';
import { downsampleMinMax, MAX_PLOT_POINTS } from './svg.ts';
import { EXPERT_NAMES } from '@arena/core';

/** The experts of a run, built-in then the user's (the attribution's rows; the built-in ones for a result without any). */
export function expertNamesOf(model: Pick<ReportModel, 'experts'>): readonly string[] {
  return model.experts.length > 0 ? model.experts.map((e) => e.expert) : EXPERT_NAMES;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface ReportMeta {
  /** name of the main strategy run */
  readonly strategy: string;
  readonly source: string;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  /** ISO time of the first / last bar's open; null for an empty run */
  readonly firstBar: string | null;
  readonly lastBar: string | null;
  readonly bars: number;
  readonly periodsPerYear: number;
  readonly initialCash: number;
  readonly fillAssumptions: string;
  readonly dataIssues: { readonly errors: number; readonly warnings: number };
  /** the risk kill switch's halts: when (ISO time of the bar) and why */
  readonly halts: readonly { readonly at: string; readonly reason: string }[];
  /** user experts disabled during the run (absent: none) */
  readonly expertFaults?: readonly { readonly at: string; readonly expert: string; readonly reason: string }[];
  /** tensor backend and how the experts were computed (kernels or streaming) */
  readonly compute: { readonly backend: string; readonly experts: string; readonly note: string };
  /** the run's config, keys sorted recursively so its serialisation does not depend on construction order */
  readonly config: JsonValue;
}

/** One asset's PnL; share = pnl / sum over assets of |pnl| (signed, the |shares| add up to 1; 0 when every pnl is 0). */
export interface AssetShare {
  readonly symbol: string;
  readonly pnl: number;
  readonly share: number;
}

/** One expert's gross signal PnL; share as for AssetShare, over experts. */
export interface ExpertShare {
  readonly expert: string;
  readonly weight: number;
  readonly pnl: number;
  readonly share: number;
}

/** A plotted series after min/max-preserving downsampling; x is bar open time, ms UTC. */
export interface CurveSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** What closed the main run's positions, and what perpetuals cost it (docs/orders.md). */
export interface ExecutionSummary {
  /** closed positions by reason: signal, stop, target, trailing, time, kill, liquidation */
  readonly exitsByReason: Readonly<Record<ExitReason, number>>;
  /** net funding cash flow, quote currency (negative: paid) */
  readonly funding: number;
  readonly liquidations: number;
  /** highest initial margin used / equity at a close (perpetuals; 0 on spot) */
  readonly maxMargin: number;
}

export interface ReportModel {
  readonly meta: ReportMeta;
  readonly execution: ExecutionSummary;
  readonly metrics: Metrics;
  readonly assets: readonly AssetShare[];
  readonly experts: readonly ExpertShare[];
  readonly baselines: readonly { readonly name: string; readonly metrics: Metrics }[];
  readonly curves: {
    /** equity of the main run first, then each baseline */
    readonly equity: readonly CurveSeries[];
    /** drawdown of the main run as a positive fraction below its running peak */
    readonly drawdown: CurveSeries;
    readonly grossExposure: CurveSeries;
    readonly netExposure: CurveSeries;
    /** perpetuals: initial margin used / equity, and the cumulative funding cash flow (absent on spot) */
    readonly margin?: CurveSeries;
    readonly funding?: CurveSeries;
  };
  /** the router's weights and regimes over time (absent with static weights) */
  readonly router?: RoutingSummary;
  readonly contest?: ContestSummary;
  /** the audit trail: how many decisions, and the latest with their charts (the full trail is decisions.jsonl) */
  readonly decisions?: { readonly count: number; readonly latest: readonly (AuditRecord & { readonly png?: string })[] };
}

/** The latest decisions with their chart PNG when the backtest rendered one. */
function latestDecisions(decisions: readonly AuditRecord[], charts: readonly DecisionChart[]): (AuditRecord & { png?: string })[] {
  const png = new Map(charts.map((c) => [`${c.t}:${c.asset}`, c.png]));
  return decisions.slice(-charts.length || -8).map((d) => {
    const p = png.get(`${d.t}:${d.asset}`);
    return p === undefined ? d : { ...d, png: p };
  });
}

/** A deep copy of a JSON-like value with object keys sorted; undefined members dropped, typed arrays made plain arrays. */
export function canonicalJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj).sort()) {
      if (obj[key] !== undefined) out[key] = canonicalJson(obj[key]);
    }
    return out;
  }
  return String(value);
}

function shares(pnls: readonly number[]): number[] {
  let gross = 0;
  for (const p of pnls) gross += Math.abs(p);
  return pnls.map((p) => (gross > 0 ? p / gross : 0));
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/** Drawdown below the running peak (peak starts at initialCash), positive fraction per bar. */
function drawdownSeries(run: StrategyRun, initialCash: number): Float64Array {
  const dd = new Float64Array(run.equity.length);
  let peak = initialCash;
  for (let t = 0; t < run.equity.length; t++) {
    const e = run.equity[t]!;
    if (e > peak) peak = e;
    dd[t] = peak > 0 ? 1 - e / peak : 0;
  }
  return dd;
}

function curve(name: string, ts: Float64Array, y: Float64Array, maxPoints: number): CurveSeries {
  const { x, y: ys } = downsampleMinMax(ts, y, maxPoints);
  return { name, x, y: ys };
}

/** Builds the report model: metrics of the main run and every baseline, attribution shares, downsampled curves (at most maxPoints per series). */
export function buildReport(result: BacktestResult, maxPoints: number = MAX_PLOT_POINTS): ReportModel {
  const { ts, periodsPerYear, initialCash, main } = result;
  const n = ts.length;
  const metrics = computeMetrics(main, periodsPerYear, initialCash, ts);

  const assetPnl = result.symbols.map((_, i) => main.assetPnl[i] ?? 0);
  const assetShare = shares(assetPnl);
  const expertShare = shares(result.expertAttribution.map((e) => e.pnl));

  return {
    meta: {
      strategy: main.name,
      source: result.source,
      symbols: [...result.symbols],
      timeframe: result.timeframe,
      firstBar: isoOrNull(n > 0 ? ts[0] : undefined),
      lastBar: isoOrNull(n > 0 ? ts[n - 1] : undefined),
      bars: n,
      periodsPerYear,
      initialCash,
      fillAssumptions: result.fillAssumptions,
      dataIssues: { errors: result.dataIssues.errors, warnings: result.dataIssues.warnings },
      halts: (result.halts ?? []).map((h) => ({ at: new Date(h.ts).toISOString(), reason: h.reason })),
      ...(result.expertFaults ? { expertFaults: result.expertFaults.map((f) => ({ at: new Date(f.ts).toISOString(), expert: f.expert, reason: f.reason })) } : {}),
      compute: { backend: result.compute.backend, experts: result.compute.experts, note: result.compute.note },
      config: canonicalJson(result.config),
    },
    metrics,
    execution: executionSummary(main),
    assets: result.symbols.map((symbol, i) => ({ symbol, pnl: assetPnl[i]!, share: assetShare[i]! })),
    experts: result.expertAttribution.map((e, i) => ({ expert: e.expert, weight: e.weight, pnl: e.pnl, share: expertShare[i]! })),
    baselines: result.baselines.map((b) => ({ name: b.name, metrics: computeMetrics(b, periodsPerYear, initialCash, ts) })),
    curves: {
      equity: [main, ...result.baselines].map((r) => curve(r.name, ts, r.equity, maxPoints)),
      drawdown: curve('drawdown', ts, drawdownSeries(main, initialCash), maxPoints),
      grossExposure: curve('gross', ts, main.grossExposure, maxPoints),
      netExposure: curve('net', ts, main.netExposure, maxPoints),
      ...(result.config.market.kind === 'perp' ? { margin: curve('margin', ts, main.margin, maxPoints), funding: curve('funding', ts, cumulative(main.funding), maxPoints) } : {}),
    },
    ...(result.routing ? { router: result.routing } : {}),
    ...(result.contest ? { contest: result.contest } : {}),
    ...(result.decisions ? { decisions: { count: result.decisions.length, latest: latestDecisions(result.decisions, result.decisionCharts ?? []) } } : {}),
  };
}

function cumulative(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) out[i] = s += x[i]!;
  return out;
}

export function executionSummary(run: StrategyRun): ExecutionSummary {
  let funding = 0;
  for (const f of run.funding) funding += f;
  let maxMargin = 0;
  for (const m of run.margin) if (m > maxMargin) maxMargin = m;
  return { exitsByReason: { ...run.exitsByReason }, funding, liquidations: run.exitsByReason.liquidation, maxMargin };
}
