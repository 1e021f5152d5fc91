/** Volume: how unusual a bar's volume is against its own recent history. */
import { RollingZScoreKernel } from '@arena/kernels';
import { type FeatureDef, map1, ratios } from './context.ts';

export const VOLUME_FEATURES: readonly FeatureDef[] = [
  {
    name: 'logvol_z_48',
    group: 'volume',
    window: 48,
    description: 'z-score of ln(1 + volume) over the last 48 bars',
    // ln(1 + v) rather than ln v: a bar with zero volume stays finite instead of blanking the next 48 windows
    compute: (ctx) => RollingZScoreKernel.cpu(ctx.m(map1(ctx.panel.volume, Math.log1p)), { window: 48 }).data,
  },
  {
    name: 'vol_surprise_48',
    group: 'volume',
    window: 48,
    description: "volume / its mean over the last 48 bars (this bar's included)",
    compute: (ctx) => ratios(ctx.panel.volume, ctx.rollingMean('volume', ctx.panel.volume, 48)),
  },
  {
    name: 'volume_ratio_12_48',
    group: 'volume',
    window: 48,
    description: 'mean volume of the last 12 bars / mean volume of the last 48 bars',
    compute: (ctx) => ratios(ctx.rollingMean('volume', ctx.panel.volume, 12), ctx.rollingMean('volume', ctx.panel.volume, 48)),
  },
];
