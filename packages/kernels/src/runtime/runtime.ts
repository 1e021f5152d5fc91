/**
 * The tensor runtime: one place that picks the backend at start-up (ARENA_BACKEND=auto|tensorflow|webgpu|wasm|cpu).
 * auto tries tensorflow (if installed), webgpu on a hardware adapter, wasm, cpu, in that order; an explicit choice
 * that fails falls back along the same order with the reason logged. Never throws for a missing backend.
 */
import { ERR, arenaError } from '@arena/core';
import { type BackendName, BACKEND_NAMES } from '../kernel.ts';
import { type AdapterDescription, GpuContext } from '../gpu/context.ts';
import { type Tf, loadNativeTensorflow, loadTf, loadWasmBackend, registerWebgpuBackend } from './tfjs.ts';
import { openDawnDevice } from './webgpu.ts';

export type BackendRequest = BackendName | 'auto';

export interface BackendProbe {
  readonly name: BackendName;
  readonly available: boolean;
  /** what was found (package, adapter) or why not */
  readonly detail: string;
}

export interface RuntimeInfo {
  readonly requested: BackendRequest;
  readonly backend: BackendName;
  /** why this backend: the first that worked in the order tried, or the explicit request */
  readonly reason: string;
  readonly probes: readonly BackendProbe[];
  readonly adapter: AdapterDescription | undefined;
}

export interface Runtime {
  readonly info: RuntimeInfo;
  readonly tf: Tf;
  /** the Dawn device for hand-written WGSL kernels, when the backend is webgpu */
  readonly gpu: GpuContext | undefined;
}

export interface RuntimeOptions {
  readonly backend?: BackendRequest;
  /** use Mesa's software WebGPU adapter (slow; for tests). Default: only when webgpu is asked for explicitly. */
  readonly allowSoftwareGpu?: boolean;
  readonly log?: (message: string) => void;
}

export function parseBackendRequest(text: string | undefined): BackendRequest {
  const v = (text ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || (BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendRequest;
  throw arenaError(ERR.CONFIG, `ARENA_BACKEND must be one of auto, ${BACKEND_NAMES.join(', ')}; got "${text}"`);
}

type Attempt = { ok: true; detail: string; gpu?: GpuContext; adapter?: AdapterDescription } | { ok: false; detail: string };

async function attempt(tf: Tf, name: BackendName, allowSoftwareGpu: boolean): Promise<Attempt> {
  try {
    switch (name) {
      case 'tensorflow': {
        const pkg = await loadNativeTensorflow();
        if (!(await tf.setBackend('tensorflow'))) return { ok: false, detail: `${pkg} loaded but the backend did not start` };
        return { ok: true, detail: pkg };
      }
      case 'webgpu': {
        const dawn = await openDawnDevice(allowSoftwareGpu);
        if (typeof dawn === 'string') return { ok: false, detail: dawn };
        await registerWebgpuBackend(tf, dawn.device, dawn.adapter.info);
        if (!(await tf.setBackend('webgpu'))) return { ok: false, detail: 'tfjs-backend-webgpu did not start on the adapter' };
        const a = dawn.description;
        return {
          ok: true,
          detail: `${a.software ? 'software' : 'hardware'} adapter: ${[a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || a.description} (${a.dawnBackend})`,
          gpu: new GpuContext(dawn.device, a),
          adapter: a,
        };
      }
      case 'wasm': {
        await loadWasmBackend();
        if (!(await withoutProcessHandlers(() => tf.setBackend('wasm')))) return { ok: false, detail: 'the wasm backend did not start' };
        return { ok: true, detail: 'tfjs-backend-wasm (SIMD when the CPU has it; single thread in Node)' };
      }
      case 'cpu':
        await tf.setBackend('cpu');
        return { ok: true, detail: 'tfjs plain JavaScript backend' };
    }
  } catch (e) {
    return { ok: false, detail: (e as Error).message.split('\n')[0] ?? String(e) };
  }
}

/**
 * Runs `start` and removes the process-wide error handlers it added. The wasm backend's Emscripten module installs
 * handlers that rethrow every uncaught error from inside its minified source, so Node would print that whole
 * module before any crash; the application decides how errors end instead.
 */
async function withoutProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const unhandled = new Set(process.listeners('unhandledRejection'));
  try {
    return await start();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!uncaught.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!unhandled.has(l)) process.removeListener('unhandledRejection', l);
  }
}

export async function initRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const log = opts.log ?? (() => undefined);
  const requested = opts.backend ?? parseBackendRequest(process.env['ARENA_BACKEND']);
  const allowSoftwareGpu = opts.allowSoftwareGpu ?? (requested === 'webgpu' || process.env['ARENA_WEBGPU_SOFTWARE'] === '1');
  const tf = await loadTf();
  const order: BackendName[] = requested === 'auto' ? [...BACKEND_NAMES] : [requested, ...BACKEND_NAMES.filter((b) => b !== requested)];
  const probes: BackendProbe[] = [];
  for (const name of order) {
    const r = await attempt(tf, name, allowSoftwareGpu);
    probes.push({ name, available: r.ok, detail: r.detail });
    if (!r.ok) {
      log(`backend ${name} unavailable: ${r.detail}`);
      continue;
    }
    const reason =
      requested === name
        ? 'requested'
        : requested === 'auto'
          ? `auto: first available of ${order.join(' > ')}`
          : `fallback: ${requested} unavailable (${probes[0]?.detail})`;
    const info: RuntimeInfo = { requested, backend: name, reason, probes, adapter: r.ok && 'adapter' in r ? r.adapter : undefined };
    log(`tensor backend: ${name} (${reason}); ${r.detail}`);
    return { info, tf, gpu: r.gpu };
  }
  throw new Error('no tensor backend started, not even cpu'); // unreachable: cpu always starts
}

/** Every backend's availability, for `arena doctor` (each is tried; the last one tried stays active). */
export async function probeBackends(allowSoftwareGpu: boolean): Promise<BackendProbe[]> {
  const tf = await loadTf();
  const out: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) {
    const r = await attempt(tf, name, allowSoftwareGpu);
    out.push({ name, available: r.ok, detail: r.detail });
  }
  return out;
}
