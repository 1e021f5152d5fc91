/** Loading TensorFlow.js and its backends on demand (tfjs is heavy: nothing imports it until a tensor is needed). */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');

let tfPromise: Promise<Tf> | undefined;

/** @tensorflow/tfjs in production mode (no debug checks, no "install tfjs-node" banner). */
export function loadTf(): Promise<Tf> {
  tfPromise ??= import('@tensorflow/tfjs').then((tf) => {
    tf.enableProdMode();
    return tf;
  });
  return tfPromise;
}

/**
 * The native TensorFlow backend, only if the user installed @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node
 * (they download libtensorflow at install time, so Arena never depends on them). Returns the package name.
 */
export async function loadNativeTensorflow(): Promise<string> {
  const failures: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
      return pkg;
    } catch (e) {
      const msg = (e as Error).message;
      failures.push(/Cannot find (package|module)|Could not resolve/.test(msg) ? `${pkg} not installed` : `${pkg}: ${msg.split('\n')[0]}`);
    }
  }
  throw new Error(failures.join('; '));
}

/** Registers the wasm backend with its .wasm files from node_modules (SIMD is detected; threads do not run in Node). */
export async function loadWasmBackend(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(`${dir}/`);
}

/** Registers tfjs's WebGPU backend on our own Dawn device, so tfjs ops and raw WGSL share it. */
let webgpuRegistered = false;

export async function registerWebgpuBackend(tf: Tf, device: GPUDevice, info: GPUAdapterInfo): Promise<void> {
  if (webgpuRegistered) return; // the process's one device is already behind it
  // importing the package registers its own factory when navigator.gpu exists; ours replaces it
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, info), 3);
  webgpuRegistered = true;
}
