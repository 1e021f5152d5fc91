/** Bar shape: where the close sits in the bar, body and wicks, and the gap from the previous close. */
import { type FeatureContext, type FeatureDef, type FeatureNode, logRatio } from './context.ts';

type ShapePart = 'closeLocation' | 'body' | 'upperWick' | 'lowerWick';

/**
 * One of the four shape ratios over the bar's range high - low; 0 where the range is 0 (a bar that did not move
 * has no shape to speak of, but it is a real bar, not missing data).
 */
function barShape(ctx: FeatureContext, part: ShapePart): FeatureNode {
  const [open, high, low, close] = [ctx.field('open'), ctx.field('high'), ctx.field('low'), ctx.field('close')];
  return ctx.node(`shape:${part}`, (out) => {
    for (let a = 0; a < out.length; a++) {
      const o = open.value[a]!;
      const h = high.value[a]!;
      const l = low.value[a]!;
      const c = close.value[a]!;
      const range = h - l;
      const scale = range > 0 ? 1 / range : range === 0 ? 0 : NaN;
      out[a] = part === 'closeLocation' ? (c - l - (h - c)) * scale : part === 'body' ? (c - o) * scale : part === 'upperWick' ? (h - Math.max(o, c)) * scale : (Math.min(o, c) - l) * scale;
    }
  });
}

export const SHAPE_FEATURES: readonly FeatureDef[] = [
  {
    name: 'close_location',
    group: 'shape',
    window: 1,
    description: 'close location value ((close - low) - (high - close)) / (high - low), in [-1, 1]',
    stream: (ctx) => barShape(ctx, 'closeLocation'),
  },
  {
    name: 'body_ratio',
    group: 'shape',
    window: 1,
    description: 'signed body (close - open) / (high - low), in [-1, 1]',
    stream: (ctx) => barShape(ctx, 'body'),
  },
  {
    name: 'upper_wick',
    group: 'shape',
    window: 1,
    description: 'upper wick (high - max(open, close)) / (high - low), in [0, 1]',
    stream: (ctx) => barShape(ctx, 'upperWick'),
  },
  {
    name: 'lower_wick',
    group: 'shape',
    window: 1,
    description: 'lower wick (min(open, close) - low) / (high - low), in [0, 1]',
    stream: (ctx) => barShape(ctx, 'lowerWick'),
  },
  {
    name: 'open_gap',
    group: 'shape',
    window: 2,
    description: "ln(open / previous bar's close): the gap between bars",
    stream: (ctx) => {
      const open = ctx.field('open');
      const close = ctx.field('close');
      const prevClose = new Float64Array(ctx.nAssets).fill(NaN);
      return ctx.node('open_gap', (out) => {
        for (let a = 0; a < out.length; a++) {
          out[a] = logRatio(open.value[a]!, prevClose[a]!);
          prevClose[a] = close.value[a]!;
        }
      });
    },
  },
];
