/** Reversal expert: leans against stretched moves (Bollinger z-score), harder when RSI agrees the move is stretched. */
import type { BarPanel } from '@arena/core';
import { ReversalParams } from '@arena/core';
import type { z } from 'zod';
import { type Expert, type ExpertContext, clamp } from './expert.ts';
import { RollingWindow } from './rolling.ts';

export type ReversalConfig = z.infer<typeof ReversalParams>;

/**
 * z = (close - SMA_window) / std_window. Inside |z| < entryZ the expert is flat; beyond, its exposure is
 * -sign(z) * min(1, (|z| - entryZ) / (zMax - entryZ)), scaled by 0.5 + 0.5 * RSI stretch in the same
 * direction (RSI stretch = (RSI - 50) / 50, Wilder smoothing), so an overbought z-spike with RSI 80 shorts harder.
 */
export class ReversalExpert implements Expert {
  readonly name = 'reversal';
  readonly params: ReversalConfig;
  readonly warmup: number;
  private windows: RollingWindow[] = [];
  private avgGain = new Float64Array(0);
  private avgLoss = new Float64Array(0);
  private prev = new Float64Array(0);
  private seen = new Float64Array(0);
  private last = new Float64Array(0);

  constructor(params: Partial<ReversalConfig> = {}) {
    this.params = ReversalParams.parse(params);
    this.warmup = Math.max(this.params.window, this.params.rsiWindow + 1);
  }

  reset(ctx: ExpertContext): void {
    const A = ctx.nAssets;
    this.windows = Array.from({ length: A }, () => new RollingWindow(this.params.window));
    this.avgGain = new Float64Array(A);
    this.avgLoss = new Float64Array(A);
    this.prev = new Float64Array(A);
    this.seen = new Float64Array(A);
    this.last = new Float64Array(A);
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = panel.nAssets;
    const { close, present } = panel;
    const aRsi = 1 / this.params.rsiWindow;
    const entryZ = this.params.entryZ;
    const entryZ2 = entryZ * entryZ;
    const invSpan = 1 / Math.max(this.params.zMax - entryZ, 1e-9);
    const warmup = this.warmup;
    const win = this.windows[a]!;
    let avgGain = this.avgGain[a]!;
    let avgLoss = this.avgLoss[a]!;
    let prev = this.prev[a]!;
    let seen = this.seen[a]!;
    let x = this.last[a]!;
    let out = outStart + a;
    for (let j = t0 * A + a, end = t1 * A + a; j < end; j += A, out += A) {
      if (present[j] === 1) {
        const c = close[j]!;
        if (seen > 0) {
          const d = c - prev;
          avgGain += aRsi * ((d > 0 ? d : 0) - avgGain);
          avgLoss += aRsi * ((d < 0 ? -d : 0) - avgLoss);
        }
        prev = c;
        seen++;
        win.push(c);
        x = 0;
        if (seen >= warmup) {
          const dev = c - win.mean();
          const variance = win.variance();
          // |z| >= entryZ tested on squares: the square root is taken only for stretched bars
          if (variance > 0 && dev * dev >= entryZ2 * variance) {
            const az = (dev < 0 ? -dev : dev) / Math.sqrt(variance);
            const gl = avgGain + avgLoss;
            const rsiStretch = gl > 0 ? (avgGain - avgLoss) / gl : 0; // = (RSI - 50) / 50
            const agree = dev > 0 ? rsiStretch : -rsiStretch;
            const size = clamp((az - entryZ) * invSpan, 0, 1) * (0.5 + 0.5 * (agree > 0 ? agree : 0));
            x = dev > 0 ? -size : size;
          }
        }
      }
      exposure[out] = x;
      confidence[out] = x < 0 ? -x : x;
    }
    this.avgGain[a] = avgGain;
    this.avgLoss[a] = avgLoss;
    this.prev[a] = prev;
    this.seen[a] = seen;
    this.last[a] = x;
  }
}
