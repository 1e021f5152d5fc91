/** Bar shape: where the close sits in the bar, body and wicks, and the gap from the previous close. */
import { type FeatureContext, type FeatureDef, logRatio } from './context.ts';

interface BarShape {
  readonly closeLocation: Float64Array;
  readonly body: Float64Array;
  readonly upperWick: Float64Array;
  readonly lowerWick: Float64Array;
}

/**
 * The four shape ratios over the bar's range high - low, in one pass; 0 where the range is 0 (a bar that did
 * not move has no shape to speak of, but it is a real bar, not missing data).
 */
function barShape(ctx: FeatureContext): BarShape {
  return ctx.cached('shape', () => {
    const { open, high, low, close } = ctx.panel;
    const n = close.length;
    const shape = { closeLocation: new Float64Array(n), body: new Float64Array(n), upperWick: new Float64Array(n), lowerWick: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const o = open[i]!;
      const h = high[i]!;
      const l = low[i]!;
      const c = close[i]!;
      const range = h - l;
      const scale = range > 0 ? 1 / range : range === 0 ? 0 : NaN;
      shape.closeLocation[i] = (c - l - (h - c)) * scale;
      shape.body[i] = (c - o) * scale;
      shape.upperWick[i] = (h - Math.max(o, c)) * scale;
      shape.lowerWick[i] = (Math.min(o, c) - l) * scale;
    }
    return shape;
  });
}

export const SHAPE_FEATURES: readonly FeatureDef[] = [
  {
    name: 'close_location',
    group: 'shape',
    window: 1,
    description: 'close location value ((close - low) - (high - close)) / (high - low), in [-1, 1]',
    compute: (ctx) => barShape(ctx).closeLocation,
  },
  {
    name: 'body_ratio',
    group: 'shape',
    window: 1,
    description: 'signed body (close - open) / (high - low), in [-1, 1]',
    compute: (ctx) => barShape(ctx).body,
  },
  {
    name: 'upper_wick',
    group: 'shape',
    window: 1,
    description: 'upper wick (high - max(open, close)) / (high - low), in [0, 1]',
    compute: (ctx) => barShape(ctx).upperWick,
  },
  {
    name: 'lower_wick',
    group: 'shape',
    window: 1,
    description: 'lower wick (min(open, close) - low) / (high - low), in [0, 1]',
    compute: (ctx) => barShape(ctx).lowerWick,
  },
  {
    name: 'open_gap',
    group: 'shape',
    window: 2,
    description: "ln(open / previous bar's close): the gap between bars",
    compute: (ctx) => {
      const { open, close } = ctx.panel;
      const A = ctx.nAssets;
      const out = new Float64Array(open.length).fill(NaN);
      for (let i = A; i < out.length; i++) out[i] = logRatio(open[i]!, close[i - A]!);
      return out;
    },
  },
];
