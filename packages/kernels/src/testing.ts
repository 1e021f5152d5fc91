/** Test support: a runtime per backend this machine has, so every kernel test runs on every available backend. */
import type { BackendName } from './kernel.ts';
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
