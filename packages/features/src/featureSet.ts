/** A FeatureSet: named feature columns over a BarPanel, each time-major like the panel ([t * nAssets + a]). */
import type { BarPanel } from '@arena/core';

export type FeatureGroup =
  | 'returns'
  | 'volatility'
  | 'volume'
  | 'oscillator'
  | 'trend'
  | 'shape'
  | 'liquidity'
  | 'cross_asset'
  | 'calendar'
  | 'funding';

export interface FeatureInfo {
  /** unique, snake_case, e.g. `ret_4`, `rsi_14` */
  readonly name: string;
  readonly group: FeatureGroup;
  /** the longest look-back in bars (1 for a bar's own shape, 0 for calendar features) */
  readonly window: number;
  /** one line: what it measures and how */
  readonly description: string;
}

export interface FeatureSet {
  readonly features: readonly FeatureInfo[];
  readonly nTimes: number;
  readonly nAssets: number;
  /** one column per feature, [t * nAssets + a]; NaN where undefined (warm-up, missing bar, no data) */
  readonly columns: readonly Float64Array[];
}

/** What a feature is computed from: the panel and, for perpetuals, funding rates aligned on it. */
export interface FeatureInput {
  readonly panel: BarPanel;
  /** funding rate per 8h interval known at each bar, [t * nAssets + a]; NaN where the data has none */
  readonly funding?: Float64Array;
}

export function featureIndex(set: FeatureSet, name: string): number {
  const i = set.features.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`no feature named ${name}; known: ${set.features.map((f) => f.name).join(', ')}`);
  return i;
}

/** A FeatureSet with extra columns appended (e.g. noise planted by a test). */
export function withColumns(set: FeatureSet, extra: readonly { info: FeatureInfo; column: Float64Array }[]): FeatureSet {
  return {
    features: [...set.features, ...extra.map((e) => e.info)],
    nTimes: set.nTimes,
    nAssets: set.nAssets,
    columns: [...set.columns, ...extra.map((e) => e.column)],
  };
}
