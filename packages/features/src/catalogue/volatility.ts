/** Volatility and range: realised volatility, its term structure, ATR, Parkinson's high-low estimator, bar range. */
import type { FeatureContext, FeatureDef, FeatureNode } from './context.ts';

const PARKINSON_WINDOW = 20;
const ATR_WINDOW = 14;

export const VOLATILITY_FEATURES: readonly FeatureDef[] = [
  {
    name: 'rvol_12',
    group: 'volatility',
    window: 13,
    description: 'realised volatility: sample std of the last 12 one-bar log returns (per bar)',
    stream: (ctx) => ctx.realizedVol(12),
  },
  {
    name: 'rvol_48',
    group: 'volatility',
    window: 49,
    description: 'realised volatility: sample std of the last 48 one-bar log returns (per bar)',
    stream: (ctx) => ctx.realizedVol(48),
  },
  {
    name: 'vol_ratio_12_48',
    group: 'volatility',
    window: 49,
    description: 'rvol_12 / rvol_48: above 1 when volatility is rising',
    stream: (ctx) => ctx.ratio('vol_ratio_12_48', ctx.realizedVol(12), ctx.realizedVol(48)),
  },
  {
    name: 'atr_14',
    group: 'volatility',
    window: ATR_WINDOW,
    description: "Wilder's average true range over 14 bars divided by the close",
    stream: (ctx) => ctx.ratio('atr_14', ctx.atr(ATR_WINDOW), ctx.field('close')),
  },
  {
    name: 'parkinson_20',
    group: 'volatility',
    window: PARKINSON_WINDOW,
    description: "Parkinson's high-low volatility over 20 bars, sqrt(mean(ln(high/low)^2) / (4 ln 2)) (per bar)",
    stream: (ctx) => {
      const squared = ctx.map1('bar_range^2', barRange(ctx), (v) => v * v);
      return ctx.map1('parkinson_20', ctx.rollingMean('bar_range^2', squared, PARKINSON_WINDOW), (v) => Math.sqrt(v / (4 * Math.LN2)));
    },
  },
  {
    name: 'bar_range',
    group: 'volatility',
    window: 1,
    description: "the bar's log range ln(high / low)",
    stream: barRange,
  },
];

function barRange(ctx: FeatureContext): FeatureNode {
  return ctx.logRatio('bar_range', ctx.field('high'), ctx.field('low'));
}
