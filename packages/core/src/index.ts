/** @arena/core: domain types, timeframes, timeranges, BarPanel, config schema, error registry, seeded RNG. */
export * from './errors.ts';
export * from './codes.ts';
export * from './timeframe.ts';
export * from './timerange.ts';
export * from './rng.ts';
export * from './types.ts';
export * from './barPanel.ts';
export * from './config.ts';
export * from './dataDir.ts';
export * from './jsonText.ts';
export * from './reportFiles.ts';
export * from './threadPriority.ts';
