/**
 * The audit trail of a run: for every order the strategy placed (one per fill), the decision behind it at the
 * bar before the fill: the router's regime probabilities and expert weights, each expert's exposure, the combined
 * exposure, and the attribution of the executed position to each expert: the share of the positive contributions
 * w_e x_e in the direction of the position (of the trade when the position is closed). The chart is referenced by
 * the exact rows it is drawn from (symbol, first and last bar, chart parameters); reports add the PNG.
 */
import { type BarPanel, REGIMES } from '@arena/core';
import type { ContestRun } from '@arena/contest';
import type { ExpertSeries } from '@arena/experts';
import type { RoutingSeries } from '@arena/router';
import type { StrategyRun } from './result.ts';
import { EXIT_REASONS, type ExitReason } from './exits.ts';

export interface AuditRecord {
  /** decision bar index and its open time (ISO); the order filled at the next bar's open */
  readonly t: number;
  readonly ts: string;
  readonly symbol: string;
  readonly asset: number;
  /** model, vlm, static or equal; fellBack when a VLM failed and the local router decided */
  readonly router: string;
  readonly fellBack: boolean;
  readonly regime: Readonly<Record<string, number>>;
  readonly weights: Readonly<Record<string, number>>;
  readonly exposures: Readonly<Record<string, number>>;
  /** sum_e w_e x_e, the exposure before the portfolio projection */
  readonly combined: number;
  readonly attribution: Readonly<Record<string, number>>;
  /** reason: what the fill was for when not the decision's order (a protective exit, the kill switch, a liquidation: exits.ts), inside bar t + 1 */
  readonly fill: { readonly qty: number; readonly price: number; readonly fee: number; readonly slippageBps: number; readonly reason?: ExitReason };
  /** the chart's rows: bars chartFrom .. t of this symbol */
  readonly chart: { readonly from: string; readonly to: string; readonly bars: number };
  /** when the contest decided: its target for the asset (before the projection) and the adopted agents' weights and proposals */
  readonly contest?: { readonly target: number; readonly agents: readonly { readonly name: string; readonly weight: number; readonly proposal: number }[] };
}

/** The contest's part of a record: the frame in force at bar t (the last window that closed at or before it). */
function contestPart(run: ContestRun, t: number, a: number, A: number): NonNullable<AuditRecord['contest']> {
  const ts = run.ts[t]!;
  let lo = 0;
  let hi = run.frames.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (run.frames[mid]!.ts <= ts) (k = mid), (lo = mid + 1);
    else hi = mid - 1;
  }
  const N = run.agents.length;
  const frame = k >= 0 ? run.frames[k]! : undefined;
  const agents = (frame?.adopted ?? []).map((i) => ({ name: run.agents[i]!.name, weight: round(frame!.weights[i]!), proposal: round(run.proposals[(t * N + i) * A + a]!) }));
  return { target: round(run.exposure[t * A + a]!), agents };
}

/** Shares of the positive contributions c_e = w_e x_e in direction `side` (+1 / -1); zeros when none is positive. */
export function attributionShares(weights: ArrayLike<number>, exposures: ArrayLike<number>, side: number, out: Float64Array): Float64Array {
  let sum = 0;
  for (let e = 0; e < out.length; e++) {
    const c = side * weights[e]! * exposures[e]!;
    out[e] = c > 0 ? c : 0;
    sum += out[e]!;
  }
  for (let e = 0; e < out.length; e++) out[e] = sum > 0 ? out[e]! / sum : 0;
  return out;
}

const round = (v: number, d = 6) => (Number.isFinite(v) ? Number(v.toFixed(d)) : v);

/** Audit records of a run's fills, in fill order. chartWindow: bars per router chart. */
export function auditRecords(panel: BarPanel, experts: readonly ExpertSeries[], routing: RoutingSeries, run: StrategyRun, chartWindow: number, contest?: ContestRun): AuditRecord[] {
  const A = panel.nAssets;
  const E = experts.length;
  const R = REGIMES.length;
  const f = run.fills;
  const out: AuditRecord[] = [];
  const w = new Float64Array(E);
  const x = new Float64Array(E);
  const share = new Float64Array(E);
  for (let i = 0; i < run.nFills; i++) {
    const t = f.t[i]! - 1;
    const a = f.asset[i]!;
    if (t < 0) continue;
    const cell = t * A + a;
    let combined = 0;
    for (let e = 0; e < E; e++) {
      w[e] = routing.weights[cell * E + e]!;
      x[e] = experts[e]!.exposure[cell]!;
      combined += w[e]! * x[e]!;
    }
    const side = Math.abs(combined) > 1e-12 ? Math.sign(combined) : Math.sign(f.qty[i]!);
    attributionShares(w, x, side, share);
    const byExpert = (v: Float64Array) => Object.fromEntries(experts.map((s, e) => [s.name, round(v[e]!)]));
    const from = Math.max(0, t - chartWindow + 1);
    out.push({
      t,
      ts: new Date(panel.ts[t]!).toISOString(),
      symbol: panel.symbols[a]!,
      asset: a,
      router: routing.source,
      fellBack: routing.fellBack?.[cell] === 1,
      regime: Object.fromEntries(REGIMES.map((r, k) => [r, round(routing.regime[cell * R + k]!)])),
      weights: byExpert(w),
      exposures: byExpert(x),
      combined: round(combined),
      attribution: byExpert(share),
      fill: { qty: f.qty[i]!, price: f.price[i]!, fee: round(f.fee[i]!), slippageBps: round(f.slippageBps[i]!, 3), ...(f.reason[i]! !== 0 ? { reason: EXIT_REASONS[f.reason[i]!]! } : {}) },
      chart: { from: new Date(panel.ts[from]!).toISOString(), to: new Date(panel.ts[t]!).toISOString(), bars: t - from + 1 },
      ...(contest ? { contest: contestPart(contest, t, a, A) } : {}),
    });
  }
  return out;
}
