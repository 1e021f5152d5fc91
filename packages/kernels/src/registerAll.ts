/** Every kernel, registered explicitly: importing a kernel module registers it (registerKernel). */
import { AgentRewardsKernel } from './kernels/agentRewards.ts';
import { AtrKernel } from './kernels/atr.ts';
import { CombineExpertsKernel } from './kernels/combineExperts.ts';
import { RollingCorrelationKernel, RollingCovarianceKernel } from './kernels/correlation.ts';
import { CorrelationMatrixKernel } from './kernels/correlationMatrix.ts';
import { CrossSectionalRankKernel, CrossSectionalZScoreKernel } from './kernels/crossSection.ts';
import { EmaKernel } from './kernels/ema.ts';
import { LogReturnsKernel } from './kernels/logReturns.ts';
import { MacdKernel } from './kernels/macd.ts';
import { RasterizeChartsKernel } from './kernels/rasterize.ts';
import { RealizedVolKernel } from './kernels/realizedVol.ts';
import { RollingMaxKernel, RollingMinKernel } from './kernels/rollingExtremes.ts';
import { RollingMeanKernel } from './kernels/rollingMean.ts';
import { RollingSharpeKernel } from './kernels/rollingSharpe.ts';
import { RollingStdKernel } from './kernels/rollingStd.ts';
import { RollingZScoreKernel } from './kernels/rollingZScore.ts';
import { RsiKernel } from './kernels/rsi.ts';

export {
  AgentRewardsKernel,
  AtrKernel,
  CombineExpertsKernel,
  CorrelationMatrixKernel,
  CrossSectionalRankKernel,
  CrossSectionalZScoreKernel,
  EmaKernel,
  LogReturnsKernel,
  MacdKernel,
  RasterizeChartsKernel,
  RealizedVolKernel,
  RollingCorrelationKernel,
  RollingCovarianceKernel,
  RollingMaxKernel,
  RollingMeanKernel,
  RollingMinKernel,
  RollingSharpeKernel,
  RollingStdKernel,
  RollingZScoreKernel,
  RsiKernel,
};
export type { AgentRewardsInput, AgentRewardsParams } from './kernels/agentRewards.ts';
export { agentRewardRow, agentRewardsCpu } from './kernels/agentRewards.ts';
export type { ChartImages, ChartInput, ChartParams } from './kernels/rasterize.ts';
export { imageToPng, toByte, writeChartPng } from './png.ts';

export const ALL_KERNELS = [
  RollingMeanKernel,
  RollingStdKernel,
  RollingZScoreKernel,
  RollingMaxKernel,
  RollingMinKernel,
  RollingSharpeKernel,
  EmaKernel,
  LogReturnsKernel,
  RsiKernel,
  AtrKernel,
  MacdKernel,
  RealizedVolKernel,
  RollingCorrelationKernel,
  RollingCovarianceKernel,
  CrossSectionalRankKernel,
  CrossSectionalZScoreKernel,
  CombineExpertsKernel,
  CorrelationMatrixKernel,
  RasterizeChartsKernel,
  AgentRewardsKernel,
] as const;
