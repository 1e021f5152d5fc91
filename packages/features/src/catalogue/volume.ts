/** Volume: how unusual a bar's volume is against its own recent history. */
import type { FeatureDef } from './context.ts';

export const VOLUME_FEATURES: readonly FeatureDef[] = [
  {
    name: 'logvol_z_48',
    group: 'volume',
    window: 48,
    description: 'z-score of ln(1 + volume) over the last 48 bars',
    // ln(1 + v) rather than ln v: a bar with zero volume stays finite instead of blanking the next 48 windows
    stream: (ctx) => ctx.rollingZScore('logvol', ctx.map1('logvol', ctx.field('volume'), Math.log1p), 48),
  },
  {
    name: 'vol_surprise_48',
    group: 'volume',
    window: 48,
    description: "volume / its mean over the last 48 bars (this bar's included)",
    stream: (ctx) => ctx.ratio('vol_surprise_48', ctx.field('volume'), ctx.rollingMean('volume', ctx.field('volume'), 48)),
  },
  {
    name: 'volume_ratio_12_48',
    group: 'volume',
    window: 48,
    description: 'mean volume of the last 12 bars / mean volume of the last 48 bars',
    stream: (ctx) => ctx.ratio('volume_ratio_12_48', ctx.rollingMean('volume', ctx.field('volume'), 12), ctx.rollingMean('volume', ctx.field('volume'), 48)),
  },
];
