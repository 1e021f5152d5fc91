/** The per-bar loop of a backtest: fill at the open, mark at the close, combine experts, project, order. */
import type { ArenaConfig, BarPanel } from '@arena/core';
import type { ExpertSeries } from '@arena/experts';
import { PaperBroker } from './broker.ts';
import { orderScratch, placeOrders } from './orders.ts';
import type { StrategyRun, TradeRecord } from './result.ts';

export interface SimulationInput {
  readonly name: string;
  readonly panel: BarPanel;
  /** per-expert exposures over the whole panel, time-major */
  readonly experts: readonly ExpertSeries[];
  /** static expert weights (same order as experts), summing to 1 */
  readonly weights: Float64Array;
  /** per-bar weights from a router, [(t * nAssets + a) * experts + e]; when given they replace `weights` */
  readonly dynamicWeights?: Float32Array;
  /** the combined target exposure per bar and asset, [t * nAssets + a] (e.g. the contest's); replaces the experts' combination */
  readonly exposure?: Float64Array;
  readonly config: ArenaConfig;
  /** buy and hold: trade each asset only until its first target is reached, never rebalance */
  readonly holdOnceEntered?: boolean;
  /** accumulate each expert's gross signal PnL into this array (length = experts) */
  readonly attribution?: Float64Array;
  readonly onProgress?: (done: number, total: number) => void;
}

const PROGRESS_EVERY = 8192;

/** Runs one strategy over the panel. Allocates its arrays once up front; the loop itself allocates nothing. */
export function simulate(input: SimulationInput): StrategyRun {
  const { panel, experts, weights, config } = input;
  const A = panel.nAssets;
  const T = panel.nTimes;
  const E = experts.length;
  const limits = config.portfolio;
  const broker = new PaperBroker(A, config.broker);
  const equity = new Float64Array(T);
  const grossExposure = new Float64Array(T);
  const netExposure = new Float64Array(T);
  const turnover = new Float64Array(T);
  const fees = new Float64Array(T);
  const slippage = new Float64Array(T);
  const dyn = input.dynamicWeights;
  if (input.exposure !== undefined && input.exposure.length !== A * T) throw new Error(`target exposure holds ${input.exposure.length} values, expected ${T} bars x ${A} assets`);
  const combined = input.exposure ?? (dyn === undefined ? combineExposures(experts, weights, A * T) : combineRouted(experts, dyn, A * T));
  const scratch = orderScratch(A);
  const holdOnceEntered = input.holdOnceEntered === true;
  const attribution = input.attribution;
  const slot = limits.maxGross / A;
  const { close, present } = panel;
  const exposures = experts.map((e) => e.exposure);
  let prevEquity = config.broker.initialCash;

  for (let t = 0; t < T; t++) {
    const base = t * A;
    broker.executeOpen(panel, t);
    const eq = broker.markClose(panel, t);
    equity[t] = eq;
    fees[t] = broker.barFees;
    slippage[t] = broker.barSlippage;
    turnover[t] = eq > 0 ? broker.barTraded / eq : 0;
    grossExposure[t] = eq > 0 ? broker.grossValue / eq : 0;
    netExposure[t] = eq > 0 ? broker.netValue / eq : 0;

    // gross signal attribution: what each expert's weighted exposure at t-1 earned from close t-1 to close t
    if (attribution !== undefined && t > 0) {
      const prevBase = base - A;
      for (let a = 0; a < A; a++) {
        if (present[base + a] !== 1 || present[prevBase + a] !== 1) continue;
        const p0 = close[prevBase + a]!;
        if (!(p0 > 0)) continue;
        const r = close[base + a]! / p0 - 1;
        const wb = (prevBase + a) * E;
        for (let e = 0; e < E; e++) {
          const w = dyn === undefined ? weights[e]! : dyn[wb + e]!;
          attribution[e] = attribution[e]! + w * exposures[e]![prevBase + a]! * slot * r * prevEquity;
        }
      }
    }
    prevEquity = eq;

    if (t === T - 1 || !(eq > 0)) continue;
    placeOrders(broker, panel, t, combined, base, eq, limits, scratch, holdOnceEntered);
    if (input.onProgress !== undefined && t % PROGRESS_EVERY === 0) input.onProgress(t, T);
  }
  broker.finish(T - 1);
  input.onProgress?.(T, T);
  return {
    name: input.name,
    equity,
    grossExposure,
    netExposure,
    turnover,
    fees,
    slippage,
    trades: tradesOf(broker, panel),
    fills: {
      t: broker.fills.column('t'),
      asset: broker.fills.column('asset'),
      qty: broker.fills.column('qty'),
      requestedQty: broker.fills.column('requestedQty'),
      price: broker.fills.column('price'),
      fee: broker.fills.column('fee'),
      slippageBps: broker.fills.column('slippageBps'),
    },
    nFills: broker.fills.length,
    nPartialFills: broker.nPartialFills,
    nCancelled: broker.nCancelled,
    assetPnl: broker.assetPnl(),
  };
}

/** The statically weighted sum of the experts' exposures for every bar and asset: one pass per expert. */
export function combineExposures(experts: readonly ExpertSeries[], weights: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  experts.forEach((e, k) => {
    const w = weights[k]!;
    if (w === 0) return;
    const x = e.exposure;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * x[i]!;
  });
  return out;
}

/** The router-weighted sum of the experts' exposures: out[c] = sum_e w[c * E + e] x_e[c]. */
export function combineRouted(experts: readonly ExpertSeries[], w: Float32Array, n: number): Float64Array {
  const E = experts.length;
  if (w.length !== n * E) throw new Error(`router weights hold ${w.length} values, expected ${n} cells x ${E} experts`);
  const out = new Float64Array(n);
  experts.forEach((e, k) => {
    const x = e.exposure;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w[i * E + k]! * x[i]!;
  });
  return out;
}

function tradesOf(broker: PaperBroker, panel: BarPanel): TradeRecord[] {
  const log = broker.trades;
  const out: TradeRecord[] = [];
  for (let i = 0; i < log.length; i++) {
    const asset = log.get('asset', i);
    const entryT = log.get('entryT', i);
    const exitT = log.get('exitT', i);
    out.push({
      asset,
      symbol: panel.symbols[asset]!,
      side: log.get('side', i) > 0 ? 1 : -1,
      entryTs: panel.ts[entryT]!,
      exitTs: panel.ts[exitT]!,
      bars: exitT - entryT,
      pnl: log.get('pnl', i),
      open: log.get('open', i) === 1,
    });
  }
  return out;
}
