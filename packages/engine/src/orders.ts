/**
 * From a bar's combined exposures to orders, the same for a backtest, the paper daemon and every baseline: the
 * portfolio projection, then per asset the gap between target and current weight. Inside the no-trade band nothing
 * trades (except closing out or flipping sides); the band is the fixed `noTradeBand` of a slot, widened where a
 * round trip's cost is a large share of the asset's move over `costHorizon` bars (`costBand`). Past it, an order
 * goes to the band's edge nearest the target (`rebalance: 'edge'`, what a projection with an L1 turnover penalty of
 * the band's width gives) or to the target. Orders under the minimum notional are skipped, missing bars keep their
 * position. Orders are submitted to the broker for the next bar's open.
 */
import type { ArenaConfig, BarPanel } from '@arena/core';
import type { PaperBroker } from './broker.ts';
import { REASON } from './exits.ts';
import { projectTargets } from './portfolio.ts';

export interface OrderScratch {
  /** target weights per asset (written) */
  readonly target: Float64Array;
  /** buy and hold: 1 once an asset reached its first target (then it never trades again) */
  readonly entered: Uint8Array;
}

export function orderScratch(nAssets: number): OrderScratch {
  return { target: new Float64Array(nAssets), entered: new Uint8Array(nAssets) };
}

/** Submits bar t's orders for exposures[base .. base + assets); returns how many were submitted. */
export function placeOrders(
  broker: PaperBroker,
  panel: BarPanel,
  t: number,
  exposures: Float64Array,
  base: number,
  eq: number,
  limits: ArenaConfig['portfolio'],
  s: OrderScratch,
  holdOnceEntered = false,
  /** per asset: the exit rule set of a position the order opens (absent: the global one) */
  rules?: Uint8Array,
  /** bars a protective exit keeps its side flat at most (Infinity: until the target changes sign) */
  cooldown = Infinity,
): number {
  const x = broker.exits;
  const A = panel.nAssets;
  const { close, present } = panel;
  const slot = limits.maxGross / A;
  const fixedBand = limits.noTradeBand * slot;
  // a round trip's cost (fee + half spread, both ways) against the asset's move over the holding horizon
  const roundTrip = 2 * (broker.config.feeBps + broker.config.halfSpreadBps) * 1e-4;
  const costBand = limits.costBand;
  const edge = limits.rebalance === 'edge';
  projectTargets(exposures, base, limits, s.target);
  const invEq = 1 / eq;
  let n = 0;
  for (let a = 0; a < A; a++) {
    let w = s.target[a]!;
    const c = close[t * A + a]!;
    // after a protective exit the asset stays flat while the target keeps the exited side, until the cool-down ends
    if (x !== undefined && x.lockSide[a] !== 0) {
      if (w * x.lockSide[a]! > 0 && t - x.lockT[a]! < cooldown) w = 0;
      else x.lockSide[a] = 0;
    }
    // missing bar or a non-positive price: keep the position as it is
    if (present[t * A + a] !== 1 || !(c > 0)) continue;
    if (holdOnceEntered && s.entered[a] === 1) continue;
    const u = broker.units[a]!;
    const gap = w - u * c * invEq;
    const absGap = gap < 0 ? -gap : gap;
    // inside the band nothing trades, except closing out (target 0) or flipping sides; the band is at least the
    // fixed one (noTradeBand < 1, so fixedBand < slot), so a gap inside that needs no cost band (a square root and a
    // division per asset and bar, most bars)
    const closesOrFlips = u !== 0 && (w === 0 || (w > 0) !== (u > 0));
    if (absGap < fixedBand && !closesOrFlips) {
      s.entered[a] = 1;
      continue;
    }
    let band = fixedBand;
    if (costBand > 0) {
      const v = broker.barVariance[a]!;
      const move = v > 0 ? Math.sqrt(v * limits.costHorizon) : 0;
      const cost = move > 0 ? costBand * (roundTrip / move) * slot : 0;
      if (cost > band) band = cost < slot ? cost : slot;
    }
    if (absGap < band && !closesOrFlips) {
      s.entered[a] = 1;
      continue;
    }
    // buy and hold enters once, to its target
    const to = edge && !closesOrFlips && !holdOnceEntered ? (gap > 0 ? w - band : w + band) : w;
    const qty = (to * eq) / c - u;
    if (qty === 0) continue;
    if (!closesOrFlips && (qty < 0 ? -qty : qty) * c < limits.minNotional) continue;
    broker.submit(a, qty, REASON.signal, rules === undefined ? 0 : rules[a]!);
    n++;
  }
  return n;
}
