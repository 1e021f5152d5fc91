/** Runs a kernel on the implementation the runtime and the measured crossover size call for. */
import type { Kernel } from './kernel.ts';
import type { Runtime } from './runtime/runtime.ts';
import { crossover } from './thresholds.ts';

export type Implementation = 'cpu' | 'tfjs' | 'webgpu';

/** Which implementation runs: cpu below the crossover size, else WGSL on webgpu, else tfjs ops, else cpu. */
export function chooseImplementation<I, P, O>(rt: Runtime, kernel: Kernel<I, P, O>, input: I, params: P): Implementation {
  const backend = rt.info.backend;
  if (kernel.size(input, params) < crossover(backend, kernel.name)) return 'cpu';
  if (backend === 'webgpu' && kernel.webgpu !== undefined && rt.gpu !== undefined) return 'webgpu';
  if (kernel.tfjs !== undefined) return 'tfjs';
  return 'cpu';
}

export async function runKernel<I, P, O>(rt: Runtime, kernel: Kernel<I, P, O>, input: I, params: P, force?: Implementation): Promise<O> {
  const impl = force ?? chooseImplementation(rt, kernel, input, params);
  switch (impl) {
    case 'cpu':
      return kernel.cpu(input, params);
    case 'webgpu':
      if (!kernel.webgpu || !rt.gpu) throw new Error(`kernel ${kernel.name} has no webgpu implementation on this runtime`);
      return kernel.webgpu(rt.gpu, input, params);
    case 'tfjs':
      if (!kernel.tfjs) throw new Error(`kernel ${kernel.name} has no tfjs implementation`);
      if (rt.tf.getBackend() !== rt.info.backend) await rt.tf.setBackend(rt.info.backend);
      return kernel.tfjs(rt.tf, input, params);
  }
}
