/**
 * The conv net's inputs bar by bar: every feature z-scored per asset over the asset's last Z_WINDOW defined values
 * (OwnBarsMoments: rows where the asset has no bar are skipped), clipped to +-5, 0 where undefined, rounded to
 * float32, kept in a ring of the last `keep` bars for the net's window and the router's temporal vector.
 * buildInputs streams a whole panel through this, so batch and step inputs are the same numbers.
 */
import { Z_CLIP, Z_WINDOW } from '../convnet/zWindow.ts';
import { OwnBarsMoments } from './ownBarsMoments.ts';

export class ZScoreStream {
  /** rows in the ring */
  readonly keep: number;
  private readonly moments: OwnBarsMoments;
  private readonly z: Float64Array;
  private readonly ring: Float32Array;
  private t = -1;

  constructor(
    readonly nAssets: number,
    readonly nFeatures: number,
    keep: number,
  ) {
    this.keep = keep;
    this.moments = new OwnBarsMoments(nFeatures * nAssets, Z_WINDOW);
    this.z = new Float64Array(nFeatures * nAssets);
    this.ring = new Float32Array(keep * nAssets * nFeatures);
  }

  /** The latest bar index pushed (-1 before the first). */
  get last(): number {
    return this.t;
  }

  /** Consumes a bar's feature row ([f * nAssets + a], as FeatureStream gives it). */
  push(featureRow: Float64Array): void {
    const A = this.nAssets;
    const F = this.nFeatures;
    this.moments.push(featureRow, 0);
    this.moments.zScore(featureRow, 0, this.z, 0);
    this.t++;
    const base = (this.t % this.keep) * A * F;
    for (let f = 0; f < F; f++) {
      for (let a = 0; a < A; a++) {
        const v = this.z[f * A + a]!;
        this.ring[base + a * F + f] = v !== v ? 0 : v > Z_CLIP ? Z_CLIP : v < -Z_CLIP ? -Z_CLIP : v;
      }
    }
  }

  /** The z-scores of bar t ([a * nFeatures + f]); t must be one of the last `keep` bars pushed. */
  row(t: number): Float32Array {
    if (t > this.t || t <= this.t - this.keep || t < 0) throw new Error(`z-scores of bar ${t} are not kept (latest ${this.t}, ring of ${this.keep})`);
    const size = this.nAssets * this.nFeatures;
    const base = (t % this.keep) * size;
    return this.ring.subarray(base, base + size);
  }
}
