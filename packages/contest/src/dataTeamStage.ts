/**
 * The data team bar by bar (what runDataTeam does over a panel, in the pipeline of every mode): each variant is a
 * selector of the shared features stage; its factor at (t, a) is its selection's weighted, IC-signed sum of the
 * z-scored selected features. At the end of every scoring window each factor is scored by its rank IC against the
 * forward return over `horizon` bars, on the last `icWindows` windows of cells whose return is known, and the best
 * variant's selection is what the learned expert and the router read from the next bar on. Rings of the factors and
 * closes bound the memory.
 */
import { type ArenaConfig, timeframeMs } from '@arena/core';
import { type OnlineFeatures, type SelectorConfigInput, rankIC } from '@arena/features';
import { closesWindow } from './contest.ts';
import { type DataTeamFrame, variantName } from './dataTeam.ts';
import { barIndex } from './proposals.ts';

export interface DataTeamVariantStage {
  readonly name: string;
  /** the variant's selector in the features stage */
  readonly selector: string;
  readonly config: SelectorConfigInput;
}

/** The selectors the data team adds to the features stage: the base (the learned expert's) with each variant's overrides. */
export function dataTeamVariants(base: SelectorConfigInput, team: ArenaConfig['contest']['dataTeam']): DataTeamVariantStage[] {
  return team.variants.map((given, k) => {
    const v = Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined)) as SelectorConfigInput;
    return { name: variantName(v), selector: `team:${k}`, config: { ...base, ...v } };
  });
}

export class DataTeamStage {
  readonly frames: DataTeamFrame[] = [];
  /** the variant whose selection the next bar reads */
  chosen = 0;
  private readonly ring: number;
  private readonly factors: Float64Array;
  private readonly closes: Float64Array;
  private readonly present: Uint8Array;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private readonly barMs: number;
  private readonly span: number;
  private t = -1;

  constructor(
    readonly features: OnlineFeatures,
    readonly variants: readonly DataTeamVariantStage[],
    readonly team: ArenaConfig['contest']['dataTeam'],
    readonly window: number,
    timeframe: Parameters<typeof timeframeMs>[0],
  ) {
    const A = features.z.nAssets;
    const V = variants.length;
    this.span = team.icWindows * window;
    this.ring = this.span + team.horizon + 1;
    this.factors = new Float64Array(this.ring * V * A).fill(NaN);
    this.closes = new Float64Array(this.ring * A);
    this.present = new Uint8Array(this.ring * A);
    this.xs = new Float64Array(this.span * A);
    this.ys = new Float64Array(this.span * A);
    this.barMs = timeframeMs(timeframe);
  }

  /** The chosen variant's selection mask at the latest bar (undefined before its first selection). */
  mask(): Float32Array | undefined {
    return this.features.mask(this.variants[this.chosen]!.selector);
  }

  /**
   * After bar t's decisions (the features stage has it): each variant's factor, then, when a scoring window closes,
   * the ranking that picks the variant the next bar reads.
   */
  step(ts: number, close: ArrayLike<number>, present: ArrayLike<number>): DataTeamFrame | undefined {
    const A = this.features.z.nAssets;
    const F = this.features.nFeatures;
    const V = this.variants.length;
    const t = ++this.t;
    const k = t % this.ring;
    const z = this.features.z.row(t);
    this.variants.forEach((v, i) => {
      const sel = this.features.selection(v.selector);
      const o = (k * V + i) * A;
      if (sel === undefined) {
        this.factors.fill(NaN, o, o + A);
        return;
      }
      for (let a = 0; a < A; a++) {
        let x = 0;
        for (let j = 0; j < sel.indices.length; j++) {
          const f = sel.indices[j]!;
          x += sel.weights[j]! * ((sel.scores[f]?.rankIC ?? 0) < 0 ? -1 : 1) * z[a * F + f]!;
        }
        this.factors[o + a] = x;
      }
    });
    for (let a = 0; a < A; a++) {
      this.closes[k * A + a] = close[a]!;
      this.present[k * A + a] = present[a] === 1 ? 1 : 0;
    }
    if (!closesWindow(barIndex(ts, this.barMs), this.window)) return undefined;
    // cells s whose forward return (s -> s + h) is known at t: s <= t - h
    const h = this.team.horizon;
    const last = t - h;
    const first = Math.max(0, last - this.span + 1);
    const ic = new Float64Array(V).fill(NaN);
    for (let i = 0; i < V; i++) {
      let n = 0;
      for (let s = first; s <= last; s++) {
        const ks = s % this.ring;
        const kh = (s + h) % this.ring;
        for (let a = 0; a < A; a++) {
          const x = this.factors[(ks * V + i) * A + a]!;
          const c0 = this.closes[ks * A + a]!;
          if (x !== x || this.present[ks * A + a] !== 1 || this.present[kh * A + a] !== 1 || !(c0 > 0)) continue;
          this.xs[n] = x;
          this.ys[n] = this.closes[kh * A + a]! / c0 - 1;
          n++;
        }
      }
      ic[i] = n >= 30 ? rankIC(this.xs, this.ys, n) : NaN;
    }
    let best = -1;
    for (let i = 0; i < V; i++) if (Number.isFinite(ic[i]!) && (best < 0 || ic[i]! > ic[best]!)) best = i;
    if (best >= 0) this.chosen = best;
    const frame = { ts, ic, chosen: this.chosen };
    this.frames.push(frame);
    return frame;
  }
}
