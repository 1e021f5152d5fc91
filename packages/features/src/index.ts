/** @arena/features: the feature catalogue, the dynamic feature selector and the LiteConvNet learned expert. */
export * from './featureSet.ts';
export * from './selection.ts';
export * from './selectorConfig.ts';
export * from './selector.ts';
export * from './catalogue.ts';
