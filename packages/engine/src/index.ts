/** @arena/engine: portfolio projection, paper broker, the backtest loop, metrics and reports. */
export * from './result.ts';
export * from './growable.ts';
export * from './portfolio.ts';
export * from './broker.ts';
export * from './simulate.ts';
export * from './backtest.ts';
export * from './metrics.ts';
export * from './report/index.ts';
