/** A selection request as a worker receives it: plain arrays (a BarPanel does not survive a structured clone). */
import { BarPanel, type Timeframe } from '@arena/core';
import type { FeatureInfo } from '../featureSet.ts';
import type { SelectionReason } from '../selection.ts';
import type { SelectorConfig } from '../selectorConfig.ts';
import type { SelectionRequest } from './selectorStream.ts';

export interface WireRequest {
  readonly id: number;
  readonly t: number;
  readonly reason: SelectionReason;
  readonly detail: string;
  readonly config: SelectorConfig;
  readonly base: number;
  readonly features: readonly FeatureInfo[];
  readonly columns: Float64Array[];
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly ts: Float64Array;
  readonly close: Float64Array;
  readonly present: Uint8Array;
  readonly key?: string;
}

export function toWire(id: number, r: SelectionRequest): WireRequest {
  const { slice } = r;
  return {
    id,
    t: r.t,
    reason: r.reason,
    detail: r.detail,
    config: r.config,
    base: slice.base,
    features: slice.set.features,
    columns: [...slice.set.columns],
    symbols: slice.panel.symbols,
    timeframe: slice.panel.timeframe,
    ts: slice.panel.ts,
    close: slice.panel.close,
    present: slice.panel.present,
    ...(slice.key !== undefined ? { key: slice.key } : {}),
  };
}

export function fromWire(w: WireRequest): SelectionRequest {
  const panel = new BarPanel(w.symbols, w.timeframe, w.ts);
  panel.close.set(w.close);
  panel.present.set(w.present);
  return { t: w.t, reason: w.reason, detail: w.detail, config: w.config, slice: { base: w.base, set: { features: w.features, nTimes: w.ts.length, nAssets: w.symbols.length, columns: w.columns }, panel, ...(w.key !== undefined ? { key: w.key } : {}) } };
}
