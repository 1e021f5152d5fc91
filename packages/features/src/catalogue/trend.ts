/** Trend strength: EMA gaps in units of volatility, price z-scores, rolling Sharpe, efficiency, channel distances. */
import { type FeatureContext, type FeatureDef, type FeatureNode, safeRatio } from './context.ts';

/** the volatility that scales EMA gaps: rvol over this many returns */
const GAP_VOL = 48;
const ER_WINDOW = 20;
const CHANNEL = 55;

/** ln(a / b) / rvol_48, NaN until `warmup` bars were seen. */
function gapInVol(ctx: FeatureContext, key: string, a: FeatureNode, b: FeatureNode, warmup: number): FeatureNode {
  const vol = ctx.realizedVol(GAP_VOL);
  const gap = ctx.node(`${key}:raw`, (out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a.value[i]!;
      const y = b.value[i]!;
      out[i] = safeRatio(x > 0 && y > 0 ? Math.log(x / y) : NaN, vol.value[i]!);
    }
  });
  return ctx.warmup(key, gap, warmup);
}

function emaGap(span: number): FeatureDef {
  const window = Math.max(span, GAP_VOL + 1);
  return {
    name: `ema_gap_${span}`,
    group: 'trend',
    window,
    description: `ln(close / EMA(${span})) in units of rvol_48`,
    stream: (ctx) => gapInVol(ctx, `ema_gap_${span}`, ctx.field('close'), ctx.ema(span), window),
  };
}

function priceZ(window: number): FeatureDef {
  return {
    name: `price_z_${window}`,
    group: 'trend',
    window,
    description: `z-score of the close over the last ${window} bars (population std)`,
    stream: (ctx) => ctx.rollingZScore('close', ctx.field('close'), window),
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
    stream: (ctx) => gapInVol(ctx, 'ema_cross_12_48', ctx.ema(12), ctx.ema(48), GAP_VOL + 1),
  },
  priceZ(20),
  priceZ(100),
  {
    name: 'sharpe_48',
    group: 'trend',
    window: 49,
    description: 'mean / sample std of the last 48 one-bar log returns (per bar, not annualised)',
    stream: (ctx) => ctx.rollingSharpe(48),
  },
  {
    name: `efficiency_${ER_WINDOW}`,
    group: 'trend',
    window: ER_WINDOW + 1,
    description: "Kaufman's efficiency ratio over 20 bars: |net log move| / sum of |one-bar log moves|, in [0, 1]",
    stream: (ctx) => ctx.map2(`efficiency_${ER_WINDOW}`, ctx.logReturns(ER_WINDOW), ctx.rollingMean('absret', ctx.absReturns(), ER_WINDOW), (n, m) => safeRatio(Math.abs(n), m * ER_WINDOW)),
  },
  {
    name: `dist_high_${CHANNEL}`,
    group: 'trend',
    window: CHANNEL,
    description: 'ln(close / highest high of the last 55 bars), <= 0',
    stream: (ctx) => ctx.logRatio(`dist_high_${CHANNEL}`, ctx.field('close'), ctx.rollingExtreme('high', ctx.field('high'), CHANNEL, true)),
  },
  {
    name: `dist_low_${CHANNEL}`,
    group: 'trend',
    window: CHANNEL,
    description: 'ln(close / lowest low of the last 55 bars), >= 0',
    stream: (ctx) => ctx.logRatio(`dist_low_${CHANNEL}`, ctx.field('close'), ctx.rollingExtreme('low', ctx.field('low'), CHANNEL, false)),
  },
];
