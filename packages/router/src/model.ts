/**
 * The router network (tfjs layers), after MM-DREX: an image branch over the rendered candlestick chart, a temporal
 * branch over long-horizon features, a fusion, a regime head and an expert-weight head.
 *
 * Image branch: three patchify convolutions (kernel = stride: 4, 2, 2), each a reshape/permute that gathers a
 * p x p patch into the channel axis followed by a dense 1x1 map with ReLU, as in ConvNeXt's stem. That is a
 * strided convolution written with matMul, so it trains on every backend (tfjs-wasm has no Conv2D filter gradient).
 * The 4 x 4 x C map is flattened (position matters: the right edge is now) into a dense embedding.
 *
 * Heads: regime logits = W_r z + b_r; expert logits = W z + W_p softmax(regime logits) + b. The temperature
 * is applied outside the net: weights = softmax(expert logits / temperature). Output: [regime logits | expert logits].
 */
import type { LayersModel, SymbolicTensor, Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '@arena/kernels';
import { PATCHES, type RouterSpec, checkSpec } from './spec.ts';

export function buildRouterModel(tf: Tf, spec: RouterSpec, seed: number): LayersModel {
  checkSpec(spec);
  let k = 0;
  const init = () => tf.initializers.glorotUniform({ seed: seed * 100 + ++k });
  const dense = (name: string, units: number, activation?: 'relu', useBias = true) =>
    tf.layers.dense({ name, units, ...(activation ? { activation } : {}), useBias, kernelInitializer: init() });
  const image = tf.input({ shape: [spec.chart.size, spec.chart.size, 3], name: 'chart' });
  const temporal = tf.input({ shape: [spec.temporal], name: 'temporal' });

  let h: SymbolicTensor = image;
  let side = spec.chart.size;
  let channels = 3;
  PATCHES.forEach((p, i) => {
    const s = side / p;
    h = tf.layers.reshape({ name: `patch${i + 1}_split`, targetShape: [s, p, s, p * channels] }).apply(h) as SymbolicTensor;
    h = tf.layers.permute({ name: `patch${i + 1}_gather`, dims: [1, 3, 2, 4] }).apply(h) as SymbolicTensor;
    h = tf.layers.reshape({ name: `patch${i + 1}_merge`, targetShape: [s, s, p * p * channels] }).apply(h) as SymbolicTensor;
    h = dense(`conv${i + 1}`, spec.imageChannels[i]!, 'relu').apply(h) as SymbolicTensor;
    side = s;
    channels = spec.imageChannels[i]!;
  });
  h = tf.layers.flatten({ name: 'image_flat' }).apply(h) as SymbolicTensor;
  const zi = dense('image_embed', spec.imageEmbed, 'relu').apply(h) as SymbolicTensor;
  const zt = dense('temporal_embed', spec.temporalEmbed, 'relu').apply(temporal) as SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'fusion_in' }).apply([zi, zt]) as SymbolicTensor;
  const z = dense('fusion', spec.fused, 'relu').apply(cat) as SymbolicTensor;
  const regimeLogits = dense('regime', spec.regimes).apply(z) as SymbolicTensor;
  const regimeProbs = tf.layers.activation({ name: 'regime_probs', activation: 'softmax' }).apply(regimeLogits) as SymbolicTensor;
  const wz = dense('weights_z', spec.experts).apply(z) as SymbolicTensor;
  const wp = dense('weights_regime', spec.experts, undefined, false).apply(regimeProbs) as SymbolicTensor;
  const expertLogits = tf.layers.add({ name: 'expert_logits' }).apply([wz, wp]) as SymbolicTensor;
  const out = tf.layers.concatenate({ name: 'out' }).apply([regimeLogits, expertLogits]) as SymbolicTensor;
  return tf.model({ inputs: [image, temporal], outputs: out, name: 'mm_router' });
}

/**
 * The router net's forward pass for inference, written with the ops its layers run (the fused matMul + bias +
 * activation of each dense layer, concat, softmax, add) on the layers' own weights, read at each call. It reads the
 * charts with their pixels tiled by the patch sizes (renderNetCharts, pixelOrder in @arena/kernels): each stage's
 * patches are then consecutive rows, so the layers' reshape/permute gathers become reshapes, and each dense layer
 * sees the same rows in another order with the same inner products. Bit for bit what `model.apply` gives on the
 * row-major charts (router tests), without tf-layers' per-layer bookkeeping (which allocated most of a paper step's
 * garbage and took a third of a routed step) and without the transposes (40% of a 512-chart batch on wasm).
 * Training keeps the layers (it needs their gradients) and the row-major charts.
 */
export function routerInference(tf: Tf, model: LayersModel, spec: RouterSpec): (tiledImages: Tensor, temporal: Tensor) => Tensor {
  checkSpec(spec);
  // the layers looked up once; their weights read at each call (a net in training changes them)
  const layers = new Map(model.layers.map((l) => [l.name, l]));
  const weights = (name: string) => {
    const layer = layers.get(name);
    if (layer === undefined) throw new Error(`the router net has no layer ${name}: rebuild it with buildRouterModel`);
    return layer.getWeights();
  };
  const dense = (x: Tensor, name: string, activation: 'relu' | 'linear'): Tensor => {
    const [kernel, bias] = weights(name);
    return tf.fused.matMul({ a: x as Tensor2D, b: kernel as Tensor2D, ...(bias ? { bias } : {}), activation });
  };
  const values = spec.chart.size * spec.chart.size * 3;
  return (tiledImages, temporal) => {
    // a row-major [n, size, size, 3] batch would reshape without complaint and give other outputs
    if (tiledImages.rank !== 2 || tiledImages.shape[1] !== values) {
      throw new Error(`routerInference reads tiled charts [n, ${values}] (renderNetCharts), it was given [${tiledImages.shape.join(', ')}]`);
    }
    const n = tiledImages.shape[0]!;
    // rows: the patches of each stage, in the tiled order; columns: a patch's pixels (or cells) and channels
    let h = tiledImages;
    let channels = 3;
    PATCHES.forEach((p, i) => {
      h = dense(tf.reshape(h, [-1, p * p * channels]), `conv${i + 1}`, 'relu');
      channels = spec.imageChannels[i]!;
    });
    // the last stage's rows are the final grid's cells, row-major: what the layers' flatten reads
    h = tf.reshape(h, [n, -1]);
    const zi = dense(h, 'image_embed', 'relu');
    const zt = dense(temporal, 'temporal_embed', 'relu');
    const z = dense(tf.concat([zi, zt], -1), 'fusion', 'relu');
    const regimeLogits = dense(z, 'regime', 'linear');
    const expertLogits = tf.add(dense(z, 'weights_z', 'linear'), dense(tf.softmax(regimeLogits, -1), 'weights_regime', 'linear'));
    return tf.concat([regimeLogits, expertLogits], -1);
  };
}

/** Trainable parameters and multiply-adds x 2 per sample. */
export function routerCost(spec: RouterSpec): { params: number; flops: number } {
  let params = 0;
  let flops = 0;
  const layer = (inputs: number, units: number, positions = 1, bias = true) => {
    params += inputs * units + (bias ? units : 0);
    flops += 2 * inputs * units * positions;
  };
  let side = spec.chart.size;
  let channels = 3;
  PATCHES.forEach((p, i) => {
    side /= p;
    layer(p * p * channels, spec.imageChannels[i]!, side * side);
    channels = spec.imageChannels[i]!;
  });
  layer(side * side * channels, spec.imageEmbed);
  layer(spec.temporal, spec.temporalEmbed);
  layer(spec.imageEmbed + spec.temporalEmbed, spec.fused);
  layer(spec.fused, spec.regimes);
  layer(spec.fused, spec.experts);
  layer(spec.regimes, spec.experts, 1, false);
  return { params, flops };
}
