/** The feature catalogue: every named feature Arena computes from a BarPanel (and funding), and computeFeatures. */
import type { FeatureInfo, FeatureInput, FeatureSet } from './featureSet.ts';
import { CALENDAR_FEATURES } from './catalogue/calendar.ts';
import { FeatureContext, type FeatureDef } from './catalogue/context.ts';
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
 * Computes the catalogue (or the named subset) over the panel. Every value at row t reads only bars <= t; a cell
 * whose bar is missing is NaN, and so is every window that holds one.
 */
export function computeFeatures(input: FeatureInput, opts: ComputeFeaturesOptions = {}): FeatureSet {
  const chosen = chooseDefs(opts.names);
  const ctx = new FeatureContext(input);
  const present = input.panel.present;
  const columns = chosen.map((def) => {
    const computed = def.compute(ctx);
    const column = ctx.isHeld(computed) ? computed.slice() : computed;
    for (let i = 0; i < column.length; i++) if (!present[i]) column[i] = NaN;
    return column;
  });
  return {
    features: chosen.map(({ name, group, window, description }) => ({ name, group, window, description })),
    nTimes: ctx.nTimes,
    nAssets: ctx.nAssets,
    columns,
  };
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
