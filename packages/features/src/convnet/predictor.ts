/**
 * Inference of a LiteConvNet: batches of (bar, asset) cells for backtests, and one step of every asset for paper
 * trading (a preallocated input buffer; one predict call per step).
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { type Tf, infer } from '@arena/kernels';
import type { ConvInputs } from './inputs.ts';
import { writeSample } from './inputs.ts';

export interface SignalScale {
  readonly probStd: number;
  readonly sizeStd: number;
}

/** The net's two outputs as one signal: the mean of (2p - 1) and of the size, each in units of its spread. */
export function combineSignal(logit: number, size: number, scale: SignalScale): number {
  const p = 1 / (1 + Math.exp(-logit));
  return 0.5 * ((2 * p - 1) / scale.probStd) + 0.5 * (size / scale.sizeStd);
}

/**
 * Cells per predict call. On tfjs's wasm backend small batches are faster per cell (measured on 11,820 cells:
 * 32 -> 281 ms, 128 -> 443 ms, 512 -> 1,048 ms, 2048 -> ~2,800 ms; larger calls spend their time in readSync and
 * memory growth), so wasm and cpu use 32; GPU and native backends take large batches.
 */
export function predictBatch(backend: string): number {
  return backend === 'wasm' || backend === 'cpu' ? 32 : 2048;
}

export class ConvNetPredictor {
  private readonly stepBuf: Float32Array;
  private readonly batchBuf: Float32Array;
  private readonly window: number;
  private readonly F: number;
  private readonly batch: number;

  constructor(
    private readonly tf: Tf,
    readonly model: LayersModel,
    private readonly nAssets: number,
  ) {
    const shape = model.inputs[0]!.shape;
    this.window = shape[1] as number;
    this.F = shape[2] as number;
    this.stepBuf = new Float32Array(nAssets * this.window * this.F);
    this.batch = predictBatch(tf.getBackend());
    this.batchBuf = new Float32Array(this.batch * this.window * this.F);
  }

  private run(buf: Float32Array, n: number): Float32Array {
    const tf = this.tf;
    const x = tf.tensor3d(buf.subarray(0, n * this.window * this.F), [n, this.window, this.F]);
    const y = infer(this.model, x);
    const out = y.dataSync() as Float32Array;
    x.dispose();
    y.dispose();
    return out;
  }

  /** Raw outputs (logit, size) of the cells [t * nAssets + a], in batches; out has 2 values per cell. */
  predictCells(inp: ConvInputs, cells: Int32Array, out: Float32Array): void {
    const A = inp.nAssets;
    const per = this.window * this.F;
    for (let i0 = 0; i0 < cells.length; i0 += this.batch) {
      const n = Math.min(this.batch, cells.length - i0);
      for (let i = 0; i < n; i++) {
        const c = cells[i0 + i]!;
        writeSample(inp, this.window, Math.floor(c / A), c % A, this.batchBuf, i * per);
      }
      out.set(this.run(this.batchBuf, n), i0 * 2);
    }
  }

  /** One step: the outputs of every asset at row t (paper trading's per-bar path), 2 values per asset. */
  step(inp: ConvInputs, t: number): Float32Array {
    const per = this.window * this.F;
    for (let a = 0; a < this.nAssets; a++) writeSample(inp, this.window, t, a, this.stepBuf, a * per);
    return this.run(this.stepBuf, this.nAssets);
  }
}
