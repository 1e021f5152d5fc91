/** The feature catalogue: every named feature Arena computes from a BarPanel (and funding), and computeFeatures. */
import type { BarPanel } from '@arena/core';
import type { FeatureInfo, FeatureInput, FeatureSet } from './featureSet.ts';
import { CALENDAR_FEATURES } from './catalogue/calendar.ts';
import { type FeatureBar, FeatureContext, type FeatureDef, type FeatureNode } from './catalogue/context.ts';
import { CROSS_ASSET_FEATURES } from './catalogue/crossAsset.ts';
import { FUNDING_FEATURES } from './catalogue/funding.ts';
import { LIQUIDITY_FEATURES } from './catalogue/liquidity.ts';
import { OSCILLATOR_FEATURES } from './catalogue/oscillators.ts';
import { RETURN_FEATURES } from './catalogue/returns.ts';
import { SHAPE_FEATURES } from './catalogue/shape.ts';
import { TREND_FEATURES } from './catalogue/trend.ts';
import { VOLATILITY_FEATURES } from './catalogue/volatility.ts';
import { VOLUME_FEATURES } from './catalogue/volume.ts';

const DEFS: readonly FeatureDef[] = [
  ...RETURN_FEATURES,
  ...VOLATILITY_FEATURES,
  ...VOLUME_FEATURES,
  ...OSCILLATOR_FEATURES,
  ...TREND_FEATURES,
  ...SHAPE_FEATURES,
  ...LIQUIDITY_FEATURES,
  ...CROSS_ASSET_FEATURES,
  ...CALENDAR_FEATURES,
  ...FUNDING_FEATURES,
];

/**
 * Every feature, in the order computeFeatures returns them. `window` is the number of bars a value reads, its own
 * row included: on a panel without gaps the first value comes at row window - 1 (EMA-based features are masked
 * to that warm-up although their memory is longer); calendar features read none (0).
 */
export const FEATURE_CATALOGUE: readonly FeatureInfo[] = DEFS.map(({ name, group, window, description }) => ({ name, group, window, description }));

export interface ComputeFeaturesOptions {
  /** a subset of FEATURE_CATALOGUE's names; the result keeps catalogue order whatever the order given */
  readonly names?: readonly string[];
}

/**
 * The catalogue (or a subset) one bar at a time: push a bar of every asset, read the row of every feature. Every
 * value reads only the bars pushed so far; a missing bar's cells are NaN, and so is every window that holds one.
 * State and rings are bounded by the longest window, so a daemon can run it for ever.
 */
export class FeatureStream {
  readonly features: readonly FeatureInfo[];
  /** the latest bar's features, [f * nAssets + a] */
  readonly row: Float64Array;
  private readonly ctx: FeatureContext;
  private readonly outputs: readonly FeatureNode[];

  constructor(symbols: readonly string[], opts: ComputeFeaturesOptions & { hasFunding?: boolean } = {}) {
    const chosen = chooseDefs(opts.names);
    this.ctx = new FeatureContext(symbols, opts.hasFunding === true);
    this.outputs = chosen.map((def) => def.stream(this.ctx));
    this.features = chosen.map(({ name, group, window, description }) => ({ name, group, window, description }));
    this.row = new Float64Array(chosen.length * symbols.length);
  }

  get nAssets(): number {
    return this.ctx.nAssets;
  }

  push(bar: FeatureBar): Float64Array {
    this.ctx.push(bar);
    const A = this.nAssets;
    const present = bar.present;
    for (let f = 0; f < this.outputs.length; f++) {
      const v = this.outputs[f]!.value;
      for (let a = 0; a < A; a++) this.row[f * A + a] = present[a] ? v[a]! : NaN;
    }
    return this.row;
  }
}

/** The arrays of a panel a FeatureBar is cut from (a BarPanel, or its arrays sent to a worker). */
export type PanelRows = Pick<BarPanel, 'nAssets' | 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'present'>;

/** Row t of a panel (and its funding) as a FeatureBar: views, no copies. */
export function panelBar(input: { readonly panel: PanelRows; readonly funding?: Float64Array }, t: number): FeatureBar {
  const { panel, funding } = input;
  const A = panel.nAssets;
  const s = t * A;
  const e = s + A;
  return {
    ts: panel.ts[t]!,
    open: panel.open.subarray(s, e),
    high: panel.high.subarray(s, e),
    low: panel.low.subarray(s, e),
    close: panel.close.subarray(s, e),
    volume: panel.volume.subarray(s, e),
    present: panel.present.subarray(s, e),
    ...(funding !== undefined ? { funding: funding.subarray(s, e) } : {}),
  };
}

/** Computes the catalogue (or the named subset) over the panel: its rows pushed through a FeatureStream. */
export function computeFeatures(input: FeatureInput, opts: ComputeFeaturesOptions = {}): FeatureSet {
  const { panel, funding } = input;
  const T = panel.nTimes;
  const A = panel.nAssets;
  if (funding !== undefined && funding.length !== T * A) throw new Error(`funding has ${funding.length} values; the panel needs ${T} x ${A} = ${T * A}`);
  const stream = new FeatureStream(panel.symbols, { ...opts, hasFunding: funding !== undefined });
  const F = stream.features.length;
  const columns = Array.from({ length: F }, () => new Float64Array(T * A));
  for (let t = 0; t < T; t++) {
    const row = stream.push(panelBar(input, t));
    for (let f = 0; f < F; f++) columns[f]!.set(row.subarray(f * A, (f + 1) * A), t * A);
  }
  return { features: stream.features, nTimes: T, nAssets: A, columns };
}

function chooseDefs(names: readonly string[] | undefined): readonly FeatureDef[] {
  if (names === undefined) return DEFS;
  const known = new Set(DEFS.map((d) => d.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`unknown feature${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  const wanted = new Set(names);
  return DEFS.filter((d) => wanted.has(d.name));
}
