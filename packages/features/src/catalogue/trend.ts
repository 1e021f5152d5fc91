/** Trend strength: EMA gaps in units of volatility, price z-scores, rolling Sharpe, efficiency, channel distances. */
import { EmaKernel, RollingMaxKernel, RollingMinKernel, RollingSharpeKernel, RollingZScoreKernel } from '@arena/kernels';
import { type FeatureContext, type FeatureDef, logRatios, map2, maskWarmup, safeRatio } from './context.ts';

/** the volatility that scales EMA gaps: rvol over this many returns */
const GAP_VOL = 48;
const ER_WINDOW = 20;
const CHANNEL = 55;

function ema(ctx: FeatureContext, span: number): Float64Array {
  return ctx.cached(`ema:${span}`, () => EmaKernel.cpu(ctx.close, { span }).data);
}

/** ln(a / b) / rvol_48, NaN until `warmup` bars were seen. */
function gapInVol(ctx: FeatureContext, a: Float64Array, b: Float64Array, warmup: number): Float64Array {
  const gap = logRatios(a, b);
  const vol = ctx.realizedVol(GAP_VOL);
  for (let i = 0; i < gap.length; i++) gap[i] = safeRatio(gap[i]!, vol[i]!);
  return maskWarmup(gap, ctx.panel.present, ctx.nAssets, warmup);
}

function emaGap(span: number): FeatureDef {
  const window = Math.max(span, GAP_VOL + 1);
  return {
    name: `ema_gap_${span}`,
    group: 'trend',
    window,
    description: `ln(close / EMA(${span})) in units of rvol_48`,
    compute: (ctx) => gapInVol(ctx, ctx.panel.close, ema(ctx, span), window),
  };
}

function priceZ(window: number): FeatureDef {
  return {
    name: `price_z_${window}`,
    group: 'trend',
    window,
    description: `z-score of the close over the last ${window} bars (population std)`,
    compute: (ctx) => RollingZScoreKernel.cpu(ctx.close, { window }).data,
  };
}

export const TREND_FEATURES: readonly FeatureDef[] = [
  emaGap(12),
  emaGap(48),
  emaGap(200),
  {
    name: 'ema_cross_12_48',
    group: 'trend',
    window: GAP_VOL + 1,
    description: 'ln(EMA(12) / EMA(48)) in units of rvol_48',
    compute: (ctx) => gapInVol(ctx, ema(ctx, 12), ema(ctx, 48), GAP_VOL + 1),
  },
  priceZ(20),
  priceZ(100),
  {
    name: 'sharpe_48',
    group: 'trend',
    window: 49,
    description: 'mean / sample std of the last 48 one-bar log returns (per bar, not annualised)',
    compute: (ctx) => RollingSharpeKernel.cpu(ctx.m(ctx.logReturns(1)), { window: 48 }).sharpe.data,
  },
  {
    name: `efficiency_${ER_WINDOW}`,
    group: 'trend',
    window: ER_WINDOW + 1,
    description: "Kaufman's efficiency ratio over 20 bars: |net log move| / sum of |one-bar log moves|, in [0, 1]",
    compute: (ctx) => {
      const net = ctx.logReturns(ER_WINDOW);
      const meanAbs = ctx.rollingMean('absret', ctx.absReturns(), ER_WINDOW);
      return map2(net, meanAbs, (n, m) => safeRatio(Math.abs(n), m * ER_WINDOW));
    },
  },
  {
    name: `dist_high_${CHANNEL}`,
    group: 'trend',
    window: CHANNEL,
    description: 'ln(close / highest high of the last 55 bars), <= 0',
    compute: (ctx) => logRatios(ctx.panel.close, RollingMaxKernel.cpu(ctx.m(ctx.panel.high), { window: CHANNEL }).data),
  },
  {
    name: `dist_low_${CHANNEL}`,
    group: 'trend',
    window: CHANNEL,
    description: 'ln(close / lowest low of the last 55 bars), >= 0',
    compute: (ctx) => logRatios(ctx.panel.close, RollingMinKernel.cpu(ctx.m(ctx.panel.low), { window: CHANNEL }).data),
  },
];
