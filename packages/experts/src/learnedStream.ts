/**
 * The learned expert bar by bar: the LiteConvNet (ConvNetForward, no tfjs call) over every present asset's last
 * `window` bars of z-scores, masked by the selection in effect; exposure clamp(signal / scale, -1, 1), confidence
 * min(1, |signal| / scale). Before the first selection it holds 0; a missing bar repeats the asset's last output.
 * A backtest steps it over the panel's rows and a daemon over its newest bar: the same code, the same numbers.
 * With a chain (`arena eval --train`: a net trained per fold on the bars before it), the net of the latest entry
 * whose `from` row has been reached decides, with its own signal scale; before the first entry it holds 0.
 */
import { ConvNetForward, ConvNetStepper, type LoadedConvNet, type OnlineFeatures, combineSignal } from '@arena/features';
import { clamp } from './expert.ts';

/** A net that takes over at a row of the stepped panel (eval's per-fold retraining). */
export interface ChainedNet {
  readonly from: number;
  readonly net: LoadedConvNet;
}

export class LearnedStream {
  readonly exposure: Float64Array;
  readonly confidence: Float64Array;
  private net: ConvNetStepper;
  /** the net deciding now (undefined: a chain whose first entry is not reached yet) */
  private active: LoadedConvNet | undefined;
  private nextInChain = 0;
  private readonly x: Float32Array;
  private readonly out = new Float64Array(2);
  private mask: Float32Array | undefined;
  /** the selection in effect keeps no feature (the selector found none significant) */
  private maskEmpty = false;

  constructor(
    readonly loaded: LoadedConvNet,
    private readonly features: OnlineFeatures,
    private readonly scale: number,
    /** nets that take over at rows, ascending `from` (replaces `loaded`, which then only fixes the shape) */
    private readonly chain?: readonly ChainedNet[],
  ) {
    const card = loaded.card;
    const names = features.stream.features.map((f) => f.name);
    for (const n of [loaded, ...(chain ?? []).map((c) => c.net)]) {
      if (names.join(',') !== n.card.features.join(',')) {
        throw new Error(`the model at ${n.dir} was trained on features [${n.card.features.join(', ')}], the catalogue now has [${names.join(', ')}]: retrain it`);
      }
      if (JSON.stringify(n.card.spec) !== JSON.stringify(card.spec)) throw new Error(`the chained net at ${n.dir} has the shape ${JSON.stringify(n.card.spec)}, the learned expert's is ${JSON.stringify(card.spec)}`);
    }
    if (chain !== undefined && chain.some((c, i) => i > 0 && !(c.from > chain[i - 1]!.from))) throw new Error(`chained nets must take over at increasing rows, got ${chain.map((c) => c.from).join(', ')}`);
    if (features.z.keep < card.spec.window) throw new Error(`the z-score ring keeps ${features.z.keep} bars; the net reads ${card.spec.window}`);
    const A = features.z.nAssets;
    this.active = chain === undefined ? loaded : undefined;
    this.net = new ConvNetStepper(new ConvNetForward(loaded.model, card.spec), A);
    this.exposure = new Float64Array(A);
    this.confidence = new Float64Array(A);
    this.x = new Float32Array(card.spec.window * card.spec.features);
  }

  /** The chain's entries reached at row t take over (a fresh stepper: its first step reads the whole window). */
  private advanceChain(t: number): void {
    const chain = this.chain!;
    while (this.nextInChain < chain.length && t >= chain[this.nextInChain]!.from) {
      this.active = chain[this.nextInChain++]!.net;
      this.net = new ConvNetStepper(new ConvNetForward(this.active.model, this.active.card.spec), this.exposure.length);
      if (this.mask !== undefined) this.net.net.setMask(this.mask);
    }
  }

  /**
   * The newest bar (the features stage has it): `mask` is the selection in effect (1 for a selected feature;
   * undefined before the first selection), `present` the bar's presence per asset.
   */
  update(mask: Float32Array | undefined, present: ArrayLike<number>): void {
    const A = this.exposure.length;
    const { window: W, features: F, kernel } = this.loaded.card.spec;
    const t = this.features.last;
    if (this.chain !== undefined) this.advanceChain(t);
    if (mask !== this.mask && mask !== undefined) {
      this.net.net.setMask(mask);
      this.net.invalidate();
      this.maskEmpty = true;
      for (let f = 0; f < mask.length; f++) if (mask[f]! > 0) this.maskEmpty = false;
    }
    this.mask = mask;
    const active = this.active;
    if (mask === undefined || active === undefined || this.maskEmpty) {
      // before the first selection (or the chain's first net), or a selection that kept no feature (the net never
      // learnt from an empty input: its biases alone would be a constant bet): 0 on present bars, a missing bar
      // repeats the last output
      for (let a = 0; a < A; a++) if (present[a] === 1) (this.exposure[a] = 0), (this.confidence[a] = 0);
      return;
    }
    for (let a = 0; a < A; a++) {
      // every asset's rings slide with every bar (a missing bar's z-scores are zeros), so all are stepped
      const first = this.net.needsWindow(a) ? 0 : W - kernel[0];
      for (let w = first; w < W; w++) {
        const r = t - W + 1 + w;
        if (r < 0) this.x.fill(0, w * F, (w + 1) * F);
        else this.x.set(this.features.z.row(r).subarray(a * F, (a + 1) * F), w * F);
      }
      this.net.step(a, this.x, 0, this.out);
      if (present[a] !== 1) continue; // a missing bar repeats the last output
      const s = combineSignal(this.out[0]!, this.out[1]!, active.card.signal);
      this.exposure[a] = clamp(s / this.scale, -1, 1);
      this.confidence[a] = Math.min(1, Math.abs(s) / this.scale);
    }
  }
}
