/** @arena/experts: the Expert interface and the rule experts (trend, reversal, breakout, positioning). */
export * from './expert.ts';
export * from './rolling.ts';
export * from './trend.ts';
export * from './reversal.ts';
export * from './breakout.ts';
export * from './positioning.ts';
export * from './registry.ts';
export * from './learned.ts';
export * from './kernelBatch.ts';
export * from './learnedStream.ts';
export * from './sdk.ts';
export * from './userModule.ts';
export * from './userStage.ts';
