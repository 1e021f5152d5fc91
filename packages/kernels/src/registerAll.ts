/** Every kernel, registered explicitly: importing a kernel module registers it (registerKernel). */
import { RollingMeanKernel } from './kernels/rollingMean.ts';
import { RollingStdKernel } from './kernels/rollingStd.ts';
import { RollingZScoreKernel } from './kernels/rollingZScore.ts';
import { RollingMaxKernel, RollingMinKernel } from './kernels/rollingExtremes.ts';
import { RollingSharpeKernel } from './kernels/rollingSharpe.ts';
import { EmaKernel } from './kernels/ema.ts';
import { RasterizeChartsKernel } from './kernels/rasterize.ts';

export {
  EmaKernel,
  RasterizeChartsKernel,
  RollingMaxKernel,
  RollingMeanKernel,
  RollingMinKernel,
  RollingSharpeKernel,
  RollingStdKernel,
  RollingZScoreKernel,
};

export const ALL_KERNELS = [
  RollingMeanKernel,
  RollingStdKernel,
  RollingZScoreKernel,
  RollingMaxKernel,
  RollingMinKernel,
  RollingSharpeKernel,
  EmaKernel,
  RasterizeChartsKernel,
] as const;
