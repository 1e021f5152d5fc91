/** A kernel is a name plus one implementation per backend; the CPU one is the reference and the fallback. */
import type { GpuContext } from './gpu/context.ts';
import type { Tf } from './runtime/tfjs.ts';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/**
 * cpu: pure TypeScript over typed arrays (Float64): the test oracle and the small-batch path.
 * tfjs: TensorFlow.js ops, on whichever tfjs backend is active (tensorflow, webgpu, wasm, cpu).
 * webgpu: a hand-written WGSL compute shader on the Dawn device (float32).
 * A kernel without a tfjs or webgpu implementation runs its cpu one on that backend.
 */
export interface Kernel<I, P, O> {
  readonly name: string;
  /** elements touched (e.g. rows x cols): what the CPU/tensor decision compares with the measured crossover */
  size(input: I, params: P): number;
  readonly cpu: (input: I, params: P) => O;
  readonly tfjs?: (tf: Tf, input: I, params: P) => Promise<O>;
  readonly webgpu?: (gpu: GpuContext, input: I, params: P) => Promise<O>;
}

const kernels = new Map<string, Kernel<unknown, unknown, unknown>>();

/** Registers a kernel once (registerAll.ts registers them all explicitly). */
export function registerKernel<I, P, O>(k: Kernel<I, P, O>): Kernel<I, P, O> {
  if (kernels.has(k.name)) throw new Error(`kernel ${k.name} registered twice`);
  kernels.set(k.name, k as Kernel<unknown, unknown, unknown>);
  return k;
}

export function registeredKernels(): readonly Kernel<unknown, unknown, unknown>[] {
  return [...kernels.values()];
}
