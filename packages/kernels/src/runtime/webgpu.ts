/** Finding a WebGPU adapter through Dawn (the `webgpu` package): a hardware GPU first, the software rasteriser only when asked. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterDescription } from '../gpu/context.ts';

export interface DawnDevice {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly description: AdapterDescription;
}

const SOFTWARE = /llvmpipe|softpipe|swiftshader|lavapipe|software/i;

function describe(adapter: GPUAdapter, dawnBackend: string): AdapterDescription {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: fallback || SOFTWARE.test(text),
    dawnBackend,
  };
}

async function tryAdapter(dawnOptions: string[], request: GPURequestAdapterOptions, dawnBackend: string): Promise<DawnDevice | string> {
  const { create, globals } = (await import('webgpu')) as { create: (o: string[]) => GPU; globals: object };
  Object.assign(globalThis, globals);
  const gpu = create(dawnOptions);
  const adapter = await gpu.requestAdapter(request);
  if (!adapter) return `no ${dawnBackend} adapter`;
  // tfjs-backend-webgpu checks navigator.gpu (Node 20 has no navigator)
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as object;
  Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  // ask for everything the adapter offers (tfjs's kernels use 256-wide workgroups, above the default limits)
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, unknown>;
  for (const key in limits) {
    const v = limits[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  const device = await adapter.requestDevice({ requiredLimits });
  return { device, adapter, description: describe(adapter, dawnBackend) };
}

/**
 * A hardware adapter (Dawn's default backend: Vulkan on Linux, Metal on macOS, D3D12 on Windows), or, with
 * allowSoftware, Mesa's llvmpipe through OpenGL ES (EGL_PLATFORM=surfaceless, compatibility feature level).
 * Returns the reason as a string when there is none.
 */
const opened = new Map<boolean, Promise<DawnDevice | string>>();

/** One Dawn device per process (and per software permission): Dawn does not like devices opened and dropped. */
export function openDawnDevice(allowSoftware: boolean): Promise<DawnDevice | string> {
  let p = opened.get(allowSoftware);
  if (p === undefined) {
    p = openDawnDeviceOnce(allowSoftware);
    opened.set(allowSoftware, p);
  }
  return p;
}

/** On Linux, Dawn's hardware path is Vulkan: without the loader it can only print warnings, so it is not tried. */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const dirs = [
    ...(process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return !dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** A hardware adapter on Dawn's default backend, or why there is none. */
async function hardwareAdapter(): Promise<DawnDevice | string> {
  if (vulkanLoaderMissing()) return 'no hardware adapter: no Vulkan loader (libvulkan.so.1)';
  try {
    const hw = await tryAdapter([], { powerPreference: 'high-performance' }, 'native');
    if (typeof hw === 'string') return 'no hardware adapter';
    if (!hw.description.software) return hw;
    hw.device.destroy();
    return `only a software adapter (${hw.description.device})`;
  } catch (e) {
    return `hardware adapter failed: ${(e as Error).message}`;
  }
}

async function openDawnDeviceOnce(allowSoftware: boolean): Promise<DawnDevice | string> {
  const hw = await hardwareAdapter();
  if (typeof hw !== 'string') return hw;
  const reasons = [hw];
  if (!allowSoftware) return `${reasons.join('; ')}; the software adapter is used only when asked (ARENA_BACKEND=webgpu or ARENA_WEBGPU_SOFTWARE=1)`;
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  try {
    const sw = await tryAdapter(['backend=opengles'], { featureLevel: 'compatibility' } as GPURequestAdapterOptions, 'opengles');
    if (typeof sw !== 'string') return sw;
    reasons.push(sw);
  } catch (e) {
    reasons.push(`software adapter failed: ${(e as Error).message}`);
  }
  return reasons.join('; ');
}
