/** @arena/features: the feature catalogue, the dynamic feature selector and the LiteConvNet learned expert. */
export * from './featureSet.ts';
export * from './selection.ts';
export * from './selectorConfig.ts';
export * from './selector.ts';
export * from './catalogue.ts';
export { pearson, ranks } from './stats/predictive.ts';
export * from './convnet/architecture.ts';
export * from './convnet/card.ts';
export * from './convnet/inputs.ts';
export * from './convnet/io.ts';
export * from './convnet/signalScores.ts';
export * from './convnet/trainOnPanel.ts';
export * from './convnet/predictor.ts';
export * from './convnet/prune.ts';
export * from './convnet/train.ts';
export * from './report/index.ts';
