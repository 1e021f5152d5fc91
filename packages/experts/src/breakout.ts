/** Breakout expert: Donchian channel breakouts confirmed by volume, held until the exit channel is crossed. */
import type { BarPanel } from '@arena/core';
import { BreakoutParams } from '@arena/core';
import type { z } from 'zod';
import type { Expert, ExpertContext } from './expert.ts';
import { ChannelState } from './channelState.ts';

export type BreakoutConfig = z.infer<typeof BreakoutParams>;

/**
 * Long when the close breaks above the highest high of the previous `window` bars with volume above
 * volumeMult x its `volumeWindow` average; short on the mirror image; back to flat when the close crosses the
 * `exitWindow` channel the other way (turtle-style). Confidence is the volume ratio at entry / (2 x volumeMult), capped at 1.
 * The channels are streaming van Herk / Gil-Werman extremes (see channelState.ts) kept in locals inside the loop.
 */
export class BreakoutExpert implements Expert {
  readonly name = 'breakout';
  readonly params: BreakoutConfig;
  readonly warmup: number;
  private entry = new ChannelState(0, 1);
  private exit = new ChannelState(0, 1);
  // volume window per asset: ring buffer and running sum
  private volRing = new Float64Array(0);
  private volSum = new Float64Array(0);
  private volCursor = new Float64Array(0);
  private seen = new Float64Array(0);
  private position = new Float64Array(0);
  private conf = new Float64Array(0);

  constructor(params: Partial<BreakoutConfig> = {}) {
    this.params = BreakoutParams.parse(params);
    this.warmup = Math.max(this.params.window, this.params.exitWindow, this.params.volumeWindow) + 1;
  }

  reset(ctx: ExpertContext): void {
    const A = ctx.nAssets;
    this.entry = new ChannelState(A, this.params.window);
    this.exit = new ChannelState(A, this.params.exitWindow);
    this.volRing = new Float64Array(A * this.params.volumeWindow);
    this.volSum = new Float64Array(A);
    this.volCursor = new Float64Array(A);
    this.seen = new Float64Array(A);
    this.position = new Float64Array(A);
    this.conf = new Float64Array(A);
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = panel.nAssets;
    const { close, high, low, volume, present } = panel;
    const warmup = this.warmup;
    const volumeMult = this.params.volumeMult;
    const confScale = 1 / (2 * volumeMult || 1);
    const vw = this.params.volumeWindow;
    const volRing = this.volRing;
    const volBase = a * vw;
    // entry channel state in locals
    const en = this.entry;
    const enW = en.window | 0;
    const enBase = a * enW;
    const enHi = en.highs;
    const enLo = en.lows;
    const enHiSuf = en.highSuffix;
    const enLoSuf = en.lowSuffix;
    let enPos = en.pos[a]! | 0;
    let enHiPre = en.highPrefix[a]!;
    let enLoPre = en.lowPrefix[a]!;
    // exit channel state in locals
    const ex = this.exit;
    const exW = ex.window | 0;
    const exBase = a * exW;
    const exHi = ex.highs;
    const exLo = ex.lows;
    const exHiSuf = ex.highSuffix;
    const exLoSuf = ex.lowSuffix;
    let exPos = ex.pos[a]! | 0;
    let exHiPre = ex.highPrefix[a]!;
    let exLoPre = ex.lowPrefix[a]!;
    let volSum = this.volSum[a]!;
    let volCursor = this.volCursor[a]! | 0;
    let seen = this.seen[a]!;
    let position = this.position[a]!;
    let conf = this.conf[a]!;
    let out = outStart + a;
    for (let j = t0 * A + a, end = t1 * A + a; j < end; j += A, out += A) {
      if (present[j] === 1) {
        const c = close[j]!;
        const v = volume[j]!;
        const h = high[j]!;
        const l = low[j]!;
        // channels of the previous bars: read before this bar is pushed
        if (seen + 1 >= warmup) {
          const avgVol = volSum / vw;
          const confirmed = avgVol > 0 && v > volumeMult * avgVol;
          let upper = enHiSuf[enBase + enPos]!;
          if (enPos !== 0 && enHiPre > upper) upper = enHiPre;
          let lower = enLoSuf[enBase + enPos]!;
          if (enPos !== 0 && enLoPre < lower) lower = enLoPre;
          if (position <= 0 && confirmed && c > upper) {
            position = 1;
            conf = Math.min(1, (v / avgVol) * confScale);
          } else if (position >= 0 && confirmed && c < lower) {
            position = -1;
            conf = Math.min(1, (v / avgVol) * confScale);
          } else if (position !== 0) {
            let exitLower = exLoSuf[exBase + exPos]!;
            if (exPos !== 0 && exLoPre < exitLower) exitLower = exLoPre;
            let exitUpper = exHiSuf[exBase + exPos]!;
            if (exPos !== 0 && exHiPre > exitUpper) exitUpper = exHiPre;
            if ((position > 0 && c < exitLower) || (position < 0 && c > exitUpper)) {
              position = 0;
              conf = 0;
            }
          }
        }
        // push the bar into both channels and the volume window
        enHi[enBase + enPos] = h;
        enLo[enBase + enPos] = l;
        enHiPre = enPos === 0 || h > enHiPre ? h : enHiPre;
        enLoPre = enPos === 0 || l < enLoPre ? l : enLoPre;
        if (++enPos === enW) {
          en.completeBlock(a);
          enPos = 0;
        }
        exHi[exBase + exPos] = h;
        exLo[exBase + exPos] = l;
        exHiPre = exPos === 0 || h > exHiPre ? h : exHiPre;
        exLoPre = exPos === 0 || l < exLoPre ? l : exLoPre;
        if (++exPos === exW) {
          ex.completeBlock(a);
          exPos = 0;
        }
        const slot = volBase + volCursor;
        volSum += v - (seen >= vw ? volRing[slot]! : 0);
        volRing[slot] = v;
        volCursor = volCursor + 1 === vw ? 0 : volCursor + 1;
        seen++;
      }
      exposure[out] = position;
      confidence[out] = conf;
    }
    en.pos[a] = enPos;
    en.highPrefix[a] = enHiPre;
    en.lowPrefix[a] = enLoPre;
    ex.pos[a] = exPos;
    ex.highPrefix[a] = exHiPre;
    ex.lowPrefix[a] = exLoPre;
    this.volSum[a] = volSum;
    this.volCursor[a] = volCursor;
    this.seen[a] = seen;
    this.position[a] = position;
    this.conf[a] = conf;
  }
}
