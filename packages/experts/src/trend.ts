/** Trend expert: time-series momentum from the gap between a fast and a slow EMA of price, in units of its noise. */
import type { BarPanel } from '@arena/core';
import { TrendParams } from '@arena/core';
import type { z } from 'zod';
import type { Expert, ExpertContext } from './expert.ts';

export type TrendConfig = z.infer<typeof TrendParams>;

/**
 * g = gain * (emaFast - emaSlow) / sqrt(slow); exposure = g / sqrt(sigma^2 + g^2) (= squash(g / sigma), a smooth
 * tanh-like map onto (-1, 1) that costs one square root), with sigma^2 the EWMA variance of bar-to-bar price
 * changes. Works on price, not log price, so negative prices (CL, April 2020) are fine. A steady drift of mu
 * per bar opens a gap of mu * (slow - fast) / 2, so the signal grows with drift / noise.
 */
export class TrendExpert implements Expert {
  readonly name = 'trend';
  readonly params: TrendConfig;
  readonly warmup: number;
  private emaFast = new Float64Array(0);
  private emaSlow = new Float64Array(0);
  private varChange = new Float64Array(0);
  private prev = new Float64Array(0);
  private seen = new Float64Array(0);
  private last = new Float64Array(0);

  constructor(params: Partial<TrendConfig> = {}) {
    this.params = TrendParams.parse(params);
    this.warmup = this.params.slow;
  }

  reset(ctx: ExpertContext): void {
    const A = ctx.nAssets;
    this.emaFast = new Float64Array(A);
    this.emaSlow = new Float64Array(A);
    this.varChange = new Float64Array(A);
    this.prev = new Float64Array(A);
    this.seen = new Float64Array(A);
    this.last = new Float64Array(A);
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = panel.nAssets;
    const { close, present } = panel;
    const aFast = 2 / (this.params.fast + 1);
    const aSlow = 2 / (this.params.slow + 1);
    const aVol = 2 / (this.params.volWindow + 1);
    const scale = this.params.gain / Math.sqrt(this.params.slow);
    const warmup = this.warmup;
    let emaFast = this.emaFast[a]!;
    let emaSlow = this.emaSlow[a]!;
    let varChange = this.varChange[a]!;
    let prev = this.prev[a]!;
    let seen = this.seen[a]!;
    let x = this.last[a]!;
    let out = outStart + a;
    for (let j = t0 * A + a, end = t1 * A + a; j < end; j += A, out += A) {
      if (present[j] === 1) {
        const c = close[j]!;
        if (seen === 0) {
          emaFast = c;
          emaSlow = c;
        } else {
          const d = c - prev;
          varChange += aVol * (d * d - varChange);
          emaFast += aFast * (c - emaFast);
          emaSlow += aSlow * (c - emaSlow);
        }
        prev = c;
        seen++;
        const g = scale * (emaFast - emaSlow);
        x = seen >= warmup && varChange > 0 ? g / Math.sqrt(varChange + g * g) : 0;
      }
      exposure[out] = x;
      confidence[out] = x < 0 ? -x : x;
    }
    this.emaFast[a] = emaFast;
    this.emaSlow[a] = emaSlow;
    this.varChange[a] = varChange;
    this.prev[a] = prev;
    this.seen[a] = seen;
    this.last[a] = x;
  }
}
