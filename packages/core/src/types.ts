/** Domain types shared by every package. */
import type { Timeframe } from './timeframe.ts';

/** One instrument's candles, columnar, ascending `ts` (bar open time, ms UTC). */
export interface OhlcvSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Every asset's bar at one time, as a stream delivers it: [asset], NaN and present 0 where an asset has none. */
export interface OhlcvRow {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly present: Uint8Array;
}

/** A row of nAssets with no bar yet. */
export function emptyOhlcvRow(nAssets: number): OhlcvRow {
  const f = () => new Float64Array(nAssets).fill(NaN);
  return { open: f(), high: f(), low: f(), close: f(), volume: f(), present: new Uint8Array(nAssets) };
}

/** Ground-truth market regimes of the synthetic generator (and the router's classes later). */
export const REGIMES = ['trend_up', 'trend_down', 'range', 'volatile'] as const;
export type Regime = (typeof REGIMES)[number];

/** One execution of the paper broker. */
export interface Fill {
  readonly t: number;
  readonly ts: number;
  readonly asset: number;
  readonly symbol: string;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly slippageBps: number;
  readonly requestedQty: number;
}

/** Where a problem was found: file:line, topic:partition:offset, symbol@ts ... */
export type Location = string;

export type Severity = 'error' | 'warning';

/** A data-quality finding, always with where it happened. */
export interface DataIssue {
  readonly severity: Severity;
  readonly kind: string;
  readonly where: Location;
  readonly message: string;
}
