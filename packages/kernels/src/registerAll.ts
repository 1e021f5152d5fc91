/** Every kernel, registered explicitly: importing a kernel module registers it (registerKernel). */
import { AgentRewardsKernel } from './ops/agentRewards.ts';
import { AtrKernel } from './ops/atr.ts';
import { CombineExpertsKernel } from './ops/combineExperts.ts';
import { RollingCorrelationKernel, RollingCovarianceKernel } from './ops/correlation.ts';
import { CorrelationMatrixKernel } from './ops/correlationMatrix.ts';
import { CrossSectionalRankKernel, CrossSectionalZScoreKernel } from './ops/crossSection.ts';
import { EmaKernel } from './ops/ema.ts';
import { LogReturnsKernel } from './ops/logReturns.ts';
import { MacdKernel } from './ops/macd.ts';
import { RasterizeChartsKernel } from './ops/rasterize.ts';
import { RealizedVolKernel } from './ops/realizedVol.ts';
import { RollingMaxKernel, RollingMinKernel } from './ops/rollingExtremes.ts';
import { RollingMeanKernel } from './ops/rollingMean.ts';
import { RollingSharpeKernel } from './ops/rollingSharpe.ts';
import { RollingStdKernel } from './ops/rollingStd.ts';
import { RollingZScoreKernel } from './ops/rollingZScore.ts';
import { RsiKernel } from './ops/rsi.ts';

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
export type { AgentRewardsInput, AgentRewardsParams } from './ops/agentRewards.ts';
export { agentRewardRow, agentRewardsCpu } from './ops/agentRewards.ts';
export type { ChartImages, ChartInput, ChartParams } from './ops/rasterize.ts';
export { pixelOrder } from './ops/pixelOrder.ts';
export { imageToPng, toByte, writeChartPng } from './png.ts';

