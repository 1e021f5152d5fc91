/**
 * LiteConvNet: depthwise-separable temporal convolutions over a window of the selected features.
 * Input [batch, window, features] (unselected features are zero). Two separable blocks, each a per-feature
 * temporal filter (TemporalDepthwiseConv) followed by a 1x1 mix (a dense layer over the channel axis) and ReLU;
 * global average pooling over time; a small dense layer; two outputs: the logit that the forward return is
 * positive, and its size in units of the trailing volatility.
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import type { Tf } from '@arena/kernels';
import { temporalDepthwiseConv } from './temporalConv.ts';

export interface ConvNetSpec {
  /** bars of history per sample */
  readonly window: number;
  /** input channels: the whole catalogue (a selection masks the rest to zero) */
  readonly features: number;
  /** output channels of each separable block */
  readonly filters: readonly [number, number];
  /** temporal kernel length of each block */
  readonly kernel: readonly [number, number];
  readonly hidden: number;
}

export const DEFAULT_SPEC: Omit<ConvNetSpec, 'features'> = { window: 24, filters: [16, 16], kernel: [5, 5], hidden: 8 };

/** Names of the layers whose kernels are pruned (biases are not). */
export const PRUNABLE = ['dw1', 'pw1', 'dw2', 'pw2', 'dense1', 'out'] as const;

export function buildConvNet(tf: Tf, spec: ConvNetSpec, seed: number): LayersModel {
  blockLengths(spec);
  const depthwise = temporalDepthwiseConv(tf);
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 100 + k });
  const input = tf.input({ shape: [spec.window, spec.features], name: 'x' });
  let h = depthwise({ name: 'dw1', kernelSize: spec.kernel[0], seed: seed * 100 + 1 }).apply(input) as SymbolicTensor;
  h = tf.layers.dense({ name: 'pw1', units: spec.filters[0], activation: 'relu', kernelInitializer: init(2) }).apply(h) as SymbolicTensor;
  h = depthwise({ name: 'dw2', kernelSize: spec.kernel[1], seed: seed * 100 + 3 }).apply(h) as SymbolicTensor;
  h = tf.layers.dense({ name: 'pw2', units: spec.filters[1], activation: 'relu', kernelInitializer: init(4) }).apply(h) as SymbolicTensor;
  h = tf.layers.globalAveragePooling1d({ name: 'pool' }).apply(h) as SymbolicTensor;
  h = tf.layers.dense({ name: 'dense1', units: spec.hidden, activation: 'relu', kernelInitializer: init(5) }).apply(h) as SymbolicTensor;
  const out = tf.layers.dense({ name: 'out', units: 2, kernelInitializer: init(6) }).apply(h) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'lite_convnet' });
}

/** Time steps after each block. */
export function blockLengths(spec: ConvNetSpec): [number, number] {
  const l1 = spec.window - spec.kernel[0] + 1;
  const l2 = l1 - spec.kernel[1] + 1;
  if (l2 < 1) throw new Error(`window ${spec.window} is too short for temporal kernels ${spec.kernel.join(' and ')}`);
  return [l1, l2];
}

export interface Cost {
  readonly params: number;
  /** 2 x multiply-adds per sample with every weight used */
  readonly flops: number;
}

/** Parameters and FLOPs per sample of the architecture. */
export function convNetCost(spec: ConvNetSpec): Cost {
  const [l1, l2] = blockLengths(spec);
  const F = spec.features;
  const [f1, f2] = spec.filters;
  const [k1, k2] = spec.kernel;
  const params = k1 * F + F + (F * f1 + f1) + (k2 * f1 + f1) + (f1 * f2 + f2) + (f2 * spec.hidden + spec.hidden) + (spec.hidden * 2 + 2);
  const macs = l1 * (F * k1 + F * f1) + l2 * (f1 * k2 + f1 * f2) + f2 * spec.hidden + spec.hidden * 2;
  return { params, flops: 2 * macs };
}
