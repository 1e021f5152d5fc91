/** Breakout expert: Donchian channel breakouts confirmed by volume, held until the exit channel is crossed. */
import type { BarPanel } from '@arena/core';
import { BreakoutParams } from '@arena/core';
import type { z } from 'zod';
import type { Expert, ExpertContext } from './expert.ts';
import { RollingChannel, RollingWindow } from './rolling.ts';

export type BreakoutConfig = z.infer<typeof BreakoutParams>;

interface Channels {
  readonly entry: RollingChannel;
  readonly exit: RollingChannel;
  readonly volume: RollingWindow;
}

/**
 * Long when the close breaks above the highest high of the previous `window` bars with volume above
 * volumeMult x its `volumeWindow` average; short on the mirror image; back to flat when the close crosses the
 * `exitWindow` channel the other way (turtle-style). Confidence is the volume ratio at entry / (2 x volumeMult), capped at 1.
 */
export class BreakoutExpert implements Expert {
  readonly name = 'breakout';
  readonly params: BreakoutConfig;
  readonly warmup: number;
  private channels: Channels[] = [];
  private position = new Float64Array(0);
  private conf = new Float64Array(0);

  constructor(params: Partial<BreakoutConfig> = {}) {
    this.params = BreakoutParams.parse(params);
    this.warmup = Math.max(this.params.window, this.params.exitWindow, this.params.volumeWindow) + 1;
  }

  reset(ctx: ExpertContext): void {
    const p = this.params;
    this.channels = Array.from({ length: ctx.nAssets }, () => ({
      entry: new RollingChannel(p.window),
      exit: new RollingChannel(p.exitWindow),
      volume: new RollingWindow(p.volumeWindow),
    }));
    this.position = new Float64Array(ctx.nAssets);
    this.conf = new Float64Array(ctx.nAssets);
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = panel.nAssets;
    const { close, high, low, volume, present } = panel;
    const { entry, exit, volume: volumes } = this.channels[a]!;
    const warmup = this.warmup;
    const volumeMult = this.params.volumeMult;
    const confScale = 1 / (2 * volumeMult || 1);
    let position = this.position[a]!;
    let conf = this.conf[a]!;
    let out = outStart + a;
    for (let j = t0 * A + a, end = t1 * A + a; j < end; j += A, out += A) {
      if (present[j] === 1) {
        const c = close[j]!;
        const v = volume[j]!;
        // channels of the previous bars: read before this bar is pushed
        if (entry.pushed() + 1 >= warmup) {
          const avgVol = volumes.mean();
          const confirmed = avgVol > 0 && v > volumeMult * avgVol;
          if (position <= 0 && confirmed && c > entry.upper()) {
            position = 1;
            conf = Math.min(1, (v / avgVol) * confScale);
          } else if (position >= 0 && confirmed && c < entry.lower()) {
            position = -1;
            conf = Math.min(1, (v / avgVol) * confScale);
          } else if ((position > 0 && c < exit.lower()) || (position < 0 && c > exit.upper())) {
            position = 0;
            conf = 0;
          }
        }
        const h = high[j]!;
        const l = low[j]!;
        entry.push(h, l);
        exit.push(h, l);
        volumes.push(v);
      }
      exposure[out] = position;
      confidence[out] = conf;
    }
    this.position[a] = position;
    this.conf[a] = conf;
  }
}
