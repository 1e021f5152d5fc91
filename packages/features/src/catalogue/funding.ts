/** Funding: the perpetual's funding rate known at the bar and how unusual it is; all NaN without funding data. */
import type { FeatureDef } from './context.ts';

const Z_WINDOW = 90;

export const FUNDING_FEATURES: readonly FeatureDef[] = [
  {
    name: 'funding_rate',
    group: 'funding',
    window: 1,
    description: 'the last funding rate published at or before the bar open (per 8h interval); NaN without funding data',
    stream: (ctx) => ctx.funding(),
  },
  {
    name: `funding_z_${Z_WINDOW}`,
    group: 'funding',
    window: Z_WINDOW,
    description: 'z-score of funding_rate over the last 90 bars; NaN without funding data or while the rate is flat',
    stream: (ctx) => ctx.rollingZScore('funding', ctx.funding(), Z_WINDOW),
  },
];
