/** Volatility and range: realised volatility, its term structure, ATR, Parkinson's high-low estimator, bar range. */
import { AtrKernel, RollingMeanKernel } from '@arena/kernels';
import { type FeatureDef, logRatios, map1, ratios } from './context.ts';

const PARKINSON_WINDOW = 20;
const ATR_WINDOW = 14;

export const VOLATILITY_FEATURES: readonly FeatureDef[] = [
  {
    name: 'rvol_12',
    group: 'volatility',
    window: 13,
    description: 'realised volatility: sample std of the last 12 one-bar log returns (per bar)',
    compute: (ctx) => ctx.realizedVol(12),
  },
  {
    name: 'rvol_48',
    group: 'volatility',
    window: 49,
    description: 'realised volatility: sample std of the last 48 one-bar log returns (per bar)',
    compute: (ctx) => ctx.realizedVol(48),
  },
  {
    name: 'vol_ratio_12_48',
    group: 'volatility',
    window: 49,
    description: 'rvol_12 / rvol_48: above 1 when volatility is rising',
    compute: (ctx) => ratios(ctx.realizedVol(12), ctx.realizedVol(48)),
  },
  {
    name: 'atr_14',
    group: 'volatility',
    window: ATR_WINDOW,
    description: "Wilder's average true range over 14 bars divided by the close",
    compute: (ctx) => {
      const { panel } = ctx;
      const atr = AtrKernel.cpu({ high: ctx.m(panel.high), low: ctx.m(panel.low), close: ctx.close }, { window: ATR_WINDOW });
      return ratios(atr.data, panel.close);
    },
  },
  {
    name: 'parkinson_20',
    group: 'volatility',
    window: PARKINSON_WINDOW,
    description: "Parkinson's high-low volatility over 20 bars, sqrt(mean(ln(high/low)^2) / (4 ln 2)) (per bar)",
    compute: (ctx) => {
      const squared = map1(barRange(ctx.panel.high, ctx.panel.low), (v) => v * v);
      const mean = RollingMeanKernel.cpu(ctx.m(squared), { window: PARKINSON_WINDOW });
      return map1(mean.data, (v) => Math.sqrt(v / (4 * Math.LN2)));
    },
  },
  {
    name: 'bar_range',
    group: 'volatility',
    window: 1,
    description: "the bar's log range ln(high / low)",
    compute: (ctx) => barRange(ctx.panel.high, ctx.panel.low),
  },
];

function barRange(high: Float64Array, low: Float64Array): Float64Array {
  return logRatios(high, low);
}
