/** Test support: a runtime per backend this machine has, so every kernel test runs on every available backend. */
import { GpuContext } from './gpu/context.ts';
import type { BackendName } from './kernel.ts';
import { TFJS_CHUNK_ELEMENTS, setTfjsChunkElements } from './ops/util.ts';
import { type Runtime, initRuntime } from './runtime/runtime.ts';

export interface TestBackend {
  readonly name: BackendName;
  readonly runtime: Runtime | undefined;
  /** why the backend is not available here (one line, for the skip message) */
  readonly skipReason: string | undefined;
}

let cached: Promise<TestBackend[]> | undefined;

/** tfjs cpu, wasm, webgpu (Mesa's software adapter is allowed) and tensorflow when installed. */
export function testBackends(): Promise<TestBackend[]> {
  cached ??= (async () => {
    const out: TestBackend[] = [];
    for (const name of ['cpu', 'wasm', 'webgpu', 'tensorflow'] as const) {
      const rt = await initRuntime({ backend: name, allowSoftwareGpu: true });
      const ok = rt.info.backend === name;
      const why = rt.info.probes.find((p) => p.name === name)?.detail ?? 'unavailable';
      out.push({ name, runtime: ok ? rt : undefined, skipReason: ok ? undefined : `${name} backend unavailable here: ${why}` });
    }
    return out;
  })();
  return cached;
}

/** A GpuContext whose storage bindings look small, so a WGSL kernel must split its input into chunks. */
export class SmallBindings extends GpuContext {
  constructor(
    gpu: GpuContext,
    private readonly elements: number,
  ) {
    super(gpu.device, gpu.adapter);
  }

  override get maxBindingElements(): number {
    return this.elements;
  }
}

/** Runs fn with tfjs calls cut into chunks of `elements`, then restores the default. */
export async function withTfjsChunk<T>(elements: number, fn: () => Promise<T>): Promise<T> {
  setTfjsChunkElements(elements);
  try {
    return await fn();
  } finally {
    setTfjsChunkElements(TFJS_CHUNK_ELEMENTS);
  }
}
