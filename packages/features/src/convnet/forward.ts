/**
 * LiteConvNet inference in plain TypeScript over typed arrays: the trained weights read once from the tfjs model,
 * one sample (a window of masked z-scores of one asset) per call, nothing allocated per call. The net is tiny (a
 * few thousand multiply-adds a sample), so a call costs microseconds where a tfjs predict call costs a millisecond
 * of dispatch. Features outside the selection are zero in every row, so their first depthwise layer is its bias:
 * their share of the first 1x1 mix is folded into a constant once per selection, and only the selected features
 * are convolved. The arithmetic is float64 on the float32 weights: within float32 rounding of tfjs's predict.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { type ConvNetSpec, blockLengths } from './architecture.ts';

interface Dense {
  readonly w: Float32Array; // [in, out]
  readonly b: Float32Array;
  readonly in: number;
  readonly out: number;
}

interface Depthwise {
  readonly k: Float32Array; // [taps, channels]
  readonly b: Float32Array;
  readonly taps: number;
}

function weightsOf(model: LayersModel, name: string): Float32Array[] {
  return model.getLayer(name).getWeights().map((w) => w.dataSync() as Float32Array);
}

export class ConvNetForward {
  readonly window: number;
  readonly nFeatures: number;
  private readonly dw1: Depthwise;
  private readonly pw1: Dense;
  private readonly dw2: Depthwise;
  private readonly pw2: Dense;
  private readonly dense1: Dense;
  private readonly out: Dense;
  private readonly l1: number;
  private readonly l2: number;
  /** the selected features and the first mix's bias with the unselected features' constant share folded in */
  private selected = new Int32Array(0);
  private readonly mixBias: Float64Array;
  private readonly y1: Float64Array;
  private readonly h1: Float64Array;
  private readonly y2: Float64Array;
  private readonly h2: Float64Array;
  private readonly pooled: Float64Array;
  private readonly hidden: Float64Array;

  constructor(model: LayersModel, spec: ConvNetSpec) {
    this.window = spec.window;
    this.nFeatures = spec.features;
    [this.l1, this.l2] = blockLengths(spec);
    const dw = (name: string, taps: number): Depthwise => {
      const [k, b] = weightsOf(model, name);
      return { k: k!, b: b!, taps };
    };
    const dense = (name: string): Dense => {
      const [w, b] = weightsOf(model, name);
      return { w: w!, b: b!, in: w!.length / b!.length, out: b!.length };
    };
    this.dw1 = dw('dw1', spec.kernel[0]);
    this.pw1 = dense('pw1');
    this.dw2 = dw('dw2', spec.kernel[1]);
    this.pw2 = dense('pw2');
    this.dense1 = dense('dense1');
    this.out = dense('out');
    if (this.pw1.in !== spec.features || this.dw1.k.length !== spec.kernel[0] * spec.features) throw new Error(`the model's first layers do not take ${spec.features} features`);
    this.mixBias = new Float64Array(this.pw1.out);
    this.y1 = new Float64Array(this.l1 * spec.features);
    this.h1 = new Float64Array(this.l1 * this.pw1.out);
    this.y2 = new Float64Array(this.pw1.out);
    this.h2 = new Float64Array(this.l2 * this.pw2.out);
    this.pooled = new Float64Array(this.pw2.out);
    this.hidden = new Float64Array(this.dense1.out);
    this.setMask(new Float32Array(spec.features));
  }

  /** The selection: 1 for a selected feature, 0 otherwise (the inputs hold zeros there). */
  setMask(mask: Float32Array): void {
    const F = this.nFeatures;
    const sel: number[] = [];
    for (let f = 0; f < F; f++) if (mask[f]! !== 0) sel.push(f);
    this.selected = Int32Array.from(sel);
    const { w, b, out } = this.pw1;
    for (let o = 0; o < out; o++) {
      let s = b[o]!;
      for (let f = 0; f < F; f++) if (mask[f]! === 0) s += this.dw1.b[f]! * w[f * out + o]!;
      this.mixBias[o] = s;
    }
  }

  /** Block 1 (depthwise + mix + ReLU) at one time step: its taps at x[xOff + k * xStride + f], into h1[hOff ..]. */
  block1(x: Float32Array, xOff: number, xStride: number, h1: Float64Array, hOff: number): void {
    const F = this.nFeatures;
    const sel = this.selected;
    const { dw1, pw1, y1 } = this;
    for (let j = 0; j < sel.length; j++) {
      const f = sel[j]!;
      let s = dw1.b[f]!;
      for (let k = 0; k < dw1.taps; k++) s += x[xOff + k * xStride + f]! * dw1.k[k * F + f]!;
      y1[f] = s;
    }
    for (let o = 0; o < pw1.out; o++) {
      let s = this.mixBias[o]!;
      for (let j = 0; j < sel.length; j++) {
        const f = sel[j]!;
        s += y1[f]! * pw1.w[f * pw1.out + o]!;
      }
      h1[hOff + o] = s > 0 ? s : 0;
    }
  }

  /** Block 2 at one time step: its taps are h1 rows at `rows(k)` (offsets into h1), into h2[hOff ..]. */
  block2(h1: Float64Array, rows: (k: number) => number, h2: Float64Array, hOff: number): void {
    const { dw2, pw2, y2 } = this;
    const C = this.pw1.out;
    for (let c = 0; c < C; c++) {
      let s = dw2.b[c]!;
      for (let k = 0; k < dw2.taps; k++) s += h1[rows(k) + c]! * dw2.k[k * C + c]!;
      y2[c] = s;
    }
    for (let o = 0; o < pw2.out; o++) {
      let s = pw2.b[o]!;
      for (let c = 0; c < C; c++) s += y2[c]! * pw2.w[c * pw2.out + o]!;
      h2[hOff + o] = s > 0 ? s : 0;
    }
  }

  /** Pooling over l2 rows of h2 (`rows(t)` oldest first), the hidden layer and the two outputs. */
  head(h2: Float64Array, rows: (t: number) => number, result: Float64Array): void {
    const { pw2, dense1, out, l2, pooled } = this;
    for (let o = 0; o < pw2.out; o++) {
      let s = 0;
      for (let t = 0; t < l2; t++) s += h2[rows(t) + o]!;
      pooled[o] = s / l2;
    }
    for (let o = 0; o < dense1.out; o++) {
      let s = dense1.b[o]!;
      for (let i = 0; i < dense1.in; i++) s += pooled[i]! * dense1.w[i * dense1.out + o]!;
      this.hidden[o] = s > 0 ? s : 0;
    }
    for (let o = 0; o < 2; o++) {
      let s = out.b[o]!;
      for (let i = 0; i < out.in; i++) s += this.hidden[i]! * out.w[i * out.out + o]!;
      result[o] = s;
    }
  }

  /**
   * The net's two outputs (logit, size) for one sample: x[xOff + w * nFeatures + f] is window row w (oldest first)
   * of the asset's z-scores (only the selected features are read).
   */
  predict(x: Float32Array, xOff: number, result: Float64Array): void {
    const F = this.nFeatures;
    const C1 = this.pw1.out;
    const C2 = this.pw2.out;
    for (let t = 0; t < this.l1; t++) this.block1(x, xOff + t * F, F, this.h1, t * C1);
    for (let t = 0; t < this.l2; t++) this.block2(this.h1, (k) => (t + k) * C1, this.h2, t * C2);
    this.head(this.h2, (t) => t * C2, result);
  }

  /** Block widths and lengths, for a stepper's rings. */
  get shape(): { readonly l1: number; readonly l2: number; readonly c1: number; readonly c2: number; readonly taps2: number } {
    return { l1: this.l1, l2: this.l2, c1: this.pw1.out, c2: this.pw2.out, taps2: this.dw2.taps };
  }
}

/**
 * The net over a sliding window, one new bar at a time per asset: each block's output at a bar never changes while
 * the selection holds, so a step computes the newest step of each block (rings of the last l1 and l2) and the head.
 * The same arithmetic in the same order as ConvNetForward.predict over the whole window, so the two agree bit for
 * bit; a new selection (setMask) recomputes each asset's rings from its window.
 */
export class ConvNetStepper {
  private readonly h1: Float64Array;
  private readonly h2: Float64Array;
  /** bars stepped per asset since its rings were last filled from a window (-1: never) */
  private readonly filled: Int32Array;

  constructor(
    readonly net: ConvNetForward,
    readonly nAssets: number,
  ) {
    const { l1, l2, c1, c2 } = net.shape;
    this.h1 = new Float64Array(nAssets * l1 * c1);
    this.h2 = new Float64Array(nAssets * l2 * c2);
    this.filled = new Int32Array(nAssets).fill(-1);
  }

  /** Whether asset a's next step reads its whole window (else only the last `kernel[0]` rows). */
  needsWindow(a: number): boolean {
    return this.filled[a]! < 0;
  }

  /** After a new selection: every asset's rings are refilled from its window at the next step. */
  invalidate(): void {
    this.filled.fill(-1);
  }

  /**
   * Asset a's newest bar: `x[xOff + w * nFeatures + f]` is its whole window (oldest row first). With rings filled
   * (the previous bar was stepped under the same selection) only the newest row is read.
   */
  step(a: number, x: Float32Array, xOff: number, result: Float64Array): void {
    const net = this.net;
    const F = net.nFeatures;
    const { l1, l2, c1, c2, taps2 } = net.shape;
    const h1 = a * l1 * c1;
    const h2 = a * l2 * c2;
    const n = this.filled[a]!;
    if (n < 0) {
      for (let t = 0; t < l1; t++) net.block1(x, xOff + t * F, F, this.h1, h1 + t * c1);
      for (let t = 0; t < l2; t++) net.block2(this.h1, (k) => h1 + (t + k) * c1, this.h2, h2 + t * c2);
      this.filled[a] = 0;
    } else {
      // ring position of the oldest row after this step: n + 1 steps since the fill shifted the window
      const s = n + 1;
      net.block1(x, xOff + (l1 - 1) * F, F, this.h1, h1 + ((s + l1 - 1) % l1) * c1);
      net.block2(this.h1, (k) => h1 + ((s + l1 - taps2 + k) % l1) * c1, this.h2, h2 + ((s + l2 - 1) % l2) * c2);
      this.filled[a] = s;
    }
    const s = this.filled[a]!;
    net.head(this.h2, (t) => h2 + ((s + t) % l2) * c2, result);
  }
}
