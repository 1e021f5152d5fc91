/** Positioning expert: exposure control — long exposure sized by volatility targeting and cut in drawdowns. */
import type { BarPanel } from '@arena/core';
import { PositioningParams } from '@arena/core';
import type { z } from 'zod';
import { type Expert, type ExpertContext, clamp } from './expert.ts';
import { RollingExtreme } from './rolling.ts';

export type PositioningConfig = z.infer<typeof PositioningParams>;

/**
 * exposure = min(1, targetVol / realisedVol) x clamp(1 - drawdown / maxDrawdown, 0, 1), long only.
 * realisedVol: EWMA of squared simple returns (span volWindow), annualised with the data's bars per year;
 * drawdown: (peak - close) / |peak| against the highest close of the last ddWindow bars.
 * Confidence is the drawdown factor: how far the asset is from its de-risking threshold.
 */
export class PositioningExpert implements Expert {
  readonly name = 'positioning';
  readonly params: PositioningConfig;
  readonly warmup: number;
  private peaks: RollingExtreme[] = [];
  private variance = new Float64Array(0);
  private prev = new Float64Array(0);
  private seen = new Float64Array(0);
  private lastExposure = new Float64Array(0);
  private lastConfidence = new Float64Array(0);
  private periodsPerYear = 1;

  constructor(params: Partial<PositioningConfig> = {}) {
    this.params = PositioningParams.parse(params);
    this.warmup = this.params.volWindow;
  }

  reset(ctx: ExpertContext): void {
    const A = ctx.nAssets;
    this.peaks = Array.from({ length: A }, () => new RollingExtreme(this.params.ddWindow, 'max'));
    this.variance = new Float64Array(A);
    this.prev = new Float64Array(A);
    this.seen = new Float64Array(A);
    this.lastExposure = new Float64Array(A);
    this.lastConfidence = new Float64Array(A);
    this.periodsPerYear = ctx.periodsPerYear;
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = panel.nAssets;
    const { close, present } = panel;
    const aVol = 2 / (this.params.volWindow + 1);
    const warmup = this.warmup;
    const invMaxDd = 1 / this.params.maxDrawdown;
    // min(1, targetVol / vol) = min(1, sqrt(targetVar / variance)), both per bar
    const targetVarPerBar = (this.params.targetVol * this.params.targetVol) / this.periodsPerYear;
    const peakOf = this.peaks[a]!;
    let variance = this.variance[a]!;
    let prev = this.prev[a]!;
    let seen = this.seen[a]!;
    let x = this.lastExposure[a]!;
    let conf = this.lastConfidence[a]!;
    let out = outStart + a;
    for (let j = t0 * A + a, end = t1 * A + a; j < end; j += A, out += A) {
      if (present[j] === 1) {
        const c = close[j]!;
        if (seen > 0) {
          const r = prev !== 0 ? (c - prev) / (prev < 0 ? -prev : prev) : 0;
          variance += aVol * (r * r - variance);
        }
        prev = c;
        seen++;
        peakOf.push(c);
        x = 0;
        conf = 0;
        if (seen >= warmup) {
          const peak = peakOf.value();
          const dd = peak !== 0 ? (peak - c) / (peak < 0 ? -peak : peak) : 0;
          conf = clamp(1 - dd * invMaxDd, 0, 1);
          x = (variance > targetVarPerBar ? Math.sqrt(targetVarPerBar / variance) : 1) * conf;
        }
      }
      exposure[out] = x;
      confidence[out] = conf;
    }
    this.variance[a] = variance;
    this.prev[a] = prev;
    this.seen[a] = seen;
    this.lastExposure[a] = x;
    this.lastConfidence[a] = conf;
  }
}
