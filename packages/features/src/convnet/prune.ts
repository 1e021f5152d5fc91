/**
 * Magnitude pruning: in every prunable kernel (not biases), the round(sparsity x n) weights of smallest |w| are
 * set to 0 and held there by a mask while the net is fine-tuned, so each pruned tensor has exactly that sparsity.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Tf } from '@arena/kernels';
import { PRUNABLE } from './architecture.ts';

export interface PruneMasks {
  /** per prunable layer, per weight tensor (null for biases): 1 keeps the weight, 0 prunes it */
  readonly layers: ReadonlyMap<string, readonly (Float32Array | null)[]>;
  readonly sparsity: number;
}

const isKernel = (name: string) => !/bias/.test(name);

/** Masks that zero the smallest-magnitude round(sparsity x n) weights of each prunable kernel. */
export function magnitudeMasks(model: LayersModel, sparsity: number): PruneMasks {
  if (!(sparsity >= 0 && sparsity < 1)) throw new Error(`sparsity must be in [0, 1), got ${sparsity}`);
  const layers = new Map<string, (Float32Array | null)[]>();
  for (const name of PRUNABLE) {
    const layer = model.getLayer(name);
    layers.set(
      name,
      layer.weights.map((w, i) => {
        if (!isKernel(w.name)) return null;
        const v = layer.getWeights()[i]!.dataSync() as Float32Array;
        const n = v.length;
        const drop = Math.round(sparsity * n);
        const order = Uint32Array.from({ length: n }, (_, j) => j).sort((a, b) => Math.abs(v[a]!) - Math.abs(v[b]!) || a - b);
        const mask = new Float32Array(n).fill(1);
        for (let j = 0; j < drop; j++) mask[order[j]!] = 0;
        return mask;
      }),
    );
  }
  return { layers, sparsity };
}

/** Multiplies the prunable kernels by their masks (after every fine-tuning step, so pruned weights stay 0). */
export function applyMasks(tf: Tf, model: LayersModel, masks: PruneMasks): void {
  for (const [name, per] of masks.layers) {
    const layer = model.getLayer(name);
    const current = layer.getWeights();
    const next: Tensor[] = current.map((w, i) => {
      const m = per[i];
      return m ? tf.tidy(() => w.mul(tf.tensor(m, w.shape))) : w;
    });
    layer.setWeights(next);
    next.forEach((t, i) => t !== current[i] && t.dispose());
  }
}

export interface SparsityReport {
  /** zeros / weights over the prunable kernels */
  readonly overall: number;
  readonly perLayer: Readonly<Record<string, number>>;
  readonly prunableWeights: number;
  readonly zeroWeights: number;
}

/** Fraction of exact zeros in the prunable kernels. */
export function measureSparsity(model: LayersModel): SparsityReport {
  const perLayer: Record<string, number> = {};
  let total = 0;
  let zeros = 0;
  for (const name of PRUNABLE) {
    const layer = model.getLayer(name);
    let n = 0;
    let z = 0;
    layer.weights.forEach((w, i) => {
      if (!isKernel(w.name)) return;
      const v = layer.getWeights()[i]!.dataSync();
      n += v.length;
      for (const x of v) if (x === 0) z++;
    });
    perLayer[name] = n > 0 ? z / n : 0;
    total += n;
    zeros += z;
  }
  return { overall: total > 0 ? zeros / total : 0, perLayer, prunableWeights: total, zeroWeights: zeros };
}
