/** @arena/kernels: the tensor runtime (backend choice) and the numeric kernels, each with a CPU reference. */
export * from './matrix.ts';
export * from './kernel.ts';
export * as KernelNames from './names.ts';
export * from './dispatch.ts';
export * from './thresholds.ts';
export * from './gpu/context.ts';
export * from './runtime/runtime.ts';
export type { Tf } from './runtime/tfjs.ts';
export * from './registerAll.ts';
export * from './benchmark.ts';
export { loadTf, loadWasmBackend } from './runtime/tfjs.ts';
export * from './runtime/modelFiles.ts';
export { infer } from './runtime/infer.ts';
export { correlationOfColumns } from './ops/correlationMatrix.ts';
export * from './stream/index.ts';
