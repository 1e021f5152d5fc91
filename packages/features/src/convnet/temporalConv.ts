/**
 * TemporalDepthwiseConv: a depthwise temporal convolution as a tfjs layer, written with slice / mul / add so that
 * training runs on every tfjs backend (wasm has no depthwise-conv gradients; the cpu backend's are ~100x slower
 * than these elementwise ops on a net this small). Input [batch, time, channels]; each channel has its own
 * kernel of `kernelSize` taps; 'valid' padding: time - kernelSize + 1 output steps.
 */
import type { LayerVariable, Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '@arena/kernels';

type LayerArgs = { kernelSize: number; seed: number; name?: string };

let registered: ((args: LayerArgs) => unknown) | undefined;

/** Defines (once per tfjs instance) and registers the layer class for (de)serialisation; returns its factory. */
export function temporalDepthwiseConv(tf: Tf): (args: LayerArgs) => ReturnType<Tf['layers']['dense']> {
  if (registered) return registered as (args: LayerArgs) => ReturnType<Tf['layers']['dense']>;
  class TemporalDepthwiseConv extends tf.layers.Layer {
    static className = 'TemporalDepthwiseConv';
    readonly kernelSize: number;
    readonly seed: number;
    private kernel: LayerVariable | undefined;
    private bias: LayerVariable | undefined;

    constructor(args: LayerArgs) {
      super(args.name === undefined ? {} : { name: args.name });
      this.kernelSize = args.kernelSize;
      this.seed = args.seed;
    }

    override build(inputShape: (number | null)[] | (number | null)[][]): void {
      const shape = inputShape as (number | null)[];
      const channels = shape[2] as number;
      // glorot-uniform over fan_in = fan_out = kernelSize
      const limit = Math.sqrt(6 / (2 * this.kernelSize));
      this.kernel = this.addWeight('depthwise_kernel', [this.kernelSize, channels], 'float32', tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: this.seed }));
      this.bias = this.addWeight('bias', [channels], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]): (number | null)[] {
      const s = inputShape as (number | null)[];
      return [s[0] ?? null, (s[1] as number) - this.kernelSize + 1, s[2] ?? null];
    }

    override call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        const [B, T, C] = x.shape as [number, number, number];
        const L = T - this.kernelSize + 1;
        const w = this.kernel!.read();
        if (kwargs.training !== true) {
          // inference: one depthwise-conv op (wasm and cpu have its forward pass), same arithmetic
          const y = tf.depthwiseConv2d(x.reshape<Tensor4D>([B, T, 1, C]), w.reshape<Tensor4D>([this.kernelSize, 1, C, 1]), 1, 'valid');
          return y.reshape([B, L, C]).add(this.bias!.read());
        }
        let y = tf.slice(x, [0, 0, 0], [-1, L, C]).mul(tf.slice(w, [0, 0], [1, C]).reshape([C]));
        for (let j = 1; j < this.kernelSize; j++) y = y.add(tf.slice(x, [0, j, 0], [-1, L, C]).mul(tf.slice(w, [j, 0], [1, C]).reshape([C])));
        return y.add(this.bias!.read());
      });
    }

    override getConfig() {
      return { ...super.getConfig(), kernelSize: this.kernelSize, seed: this.seed };
    }
  }
  tf.serialization.registerClass(TemporalDepthwiseConv);
  registered = (args: LayerArgs) => new TemporalDepthwiseConv(args);
  return registered as (args: LayerArgs) => ReturnType<Tf['layers']['dense']>;
}
