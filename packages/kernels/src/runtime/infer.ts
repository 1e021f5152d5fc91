/**
 * Inference on one batch without tf-layers' predict loop. `LayersModel.predictOnBatch` slices its inputs along the
 * batch axis even for a single batch, and tfjs-backend-wasm's slice reads the whole input tensor back (a full copy
 * of the tensor out of the wasm heap) before copying the slice: two extra copies of every chart batch. `apply` with
 * `training: false` runs the same graph on the tensors as given, so the outputs are the same numbers.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';

export function infer(model: LayersModel, inputs: Tensor | Tensor[]): Tensor {
  const y = model.apply(inputs, { training: false });
  if (Array.isArray(y)) throw new Error(`infer expects a model with one output, ${model.name} has ${y.length}`);
  return y as Tensor;
}
