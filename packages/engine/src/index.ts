/** @arena/engine: portfolio projection, paper broker, the backtest loop, metrics and reports. */
export * from './result.ts';
export * from './growable.ts';
export * from './portfolio.ts';
export * from './broker.ts';
export * from './simulate.ts';
export * from './backtest.ts';
export * from './metrics.ts';
export * from './report/index.ts';
export * from './audit.ts';
export * from './routingSummary.ts';
export * from './eval/chain.ts';
export * from './eval/evaluate.ts';
export * from './eval/report.ts';
