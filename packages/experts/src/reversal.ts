/** Reversal expert: leans against stretched moves (Bollinger z-score), harder when RSI agrees the move is stretched. */
import type { BarPanel } from '@arena/core';
import { ReversalParams } from '@arena/core';
import type { z } from 'zod';
import { type Expert, type ExpertContext, clamp } from './expert.ts';

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
  // the z-score window of each asset, inlined (ring buffer + running sums) so the loop keeps it in registers
  private ring = new Float64Array(0);
  private sum = new Float64Array(0);
  private sumSq = new Float64Array(0);
  private filled = new Float64Array(0);
  private cursor = new Float64Array(0);
  private anchor = new Float64Array(0);
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
    this.ring = new Float64Array(A * this.params.window);
    this.sum = new Float64Array(A);
    this.sumSq = new Float64Array(A);
    this.filled = new Float64Array(A);
    this.cursor = new Float64Array(A);
    this.anchor = new Float64Array(A);
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
    const n = this.params.window;
    const ring = this.ring;
    const ringBase = a * n;
    let sum = this.sum[a]!;
    let sumSq = this.sumSq[a]!;
    let filled = this.filled[a]!;
    let cursor = this.cursor[a]!;
    let anchor = this.anchor[a]!;
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
        // prices are shifted by the asset's first close so the running sums keep their precision
        if (seen === 1) anchor = c;
        const shifted = c - anchor;
        const slot = ringBase + cursor;
        if (filled === n) {
          const old = ring[slot]!;
          sum -= old;
          sumSq -= old * old;
        } else {
          filled++;
        }
        ring[slot] = shifted;
        sum += shifted;
        sumSq += shifted * shifted;
        cursor = cursor + 1 === n ? 0 : cursor + 1;
        x = 0;
        if (seen >= warmup) {
          const mean = sum / filled;
          const dev = shifted - mean;
          const v = sumSq / filled - mean * mean;
          const variance = v > 0 ? v : 0;
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
    this.sum[a] = sum;
    this.sumSq[a] = sumSq;
    this.filled[a] = filled;
    this.cursor[a] = cursor;
    this.anchor[a] = anchor;
  }
}
