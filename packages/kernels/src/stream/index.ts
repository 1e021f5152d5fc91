/** Row streams: the CPU references of the rolling, recursive and cross-sectional kernels, one row at a time. */
export * from './rolling.ts';
export * from './recursive.ts';
export * from './crossSection.ts';
