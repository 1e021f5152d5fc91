/** Liquidity: how much a unit of traded value moves the price (Amihud), and the traded value itself. */
import type { FeatureDef } from './context.ts';

const WINDOW = 48;

export const LIQUIDITY_FEATURES: readonly FeatureDef[] = [
  {
    name: `amihud_${WINDOW}`,
    group: 'liquidity',
    window: WINDOW + 1,
    description: 'Amihud illiquidity ln(mean |one-bar log return| / mean close x volume) over 48 bars',
    stream: (ctx) => ctx.logRatio(`amihud_${WINDOW}`, ctx.rollingMean('absret', ctx.absReturns(), WINDOW), ctx.rollingMean('dollarvol', ctx.dollarVolume(), WINDOW)),
  },
  {
    name: `dollar_volume_${WINDOW}`,
    group: 'liquidity',
    window: WINDOW,
    description: 'ln of the mean close x volume over the last 48 bars',
    stream: (ctx) => ctx.map1(`dollar_volume_${WINDOW}`, ctx.rollingMean('dollarvol', ctx.dollarVolume(), WINDOW), (v) => (v > 0 ? Math.log(v) : NaN)),
  },
];
