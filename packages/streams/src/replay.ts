/**
 * The embedded replay source: a panel's bar times one after the other, as a live stream would deliver them, at a
 * chosen speed (bars per second, or as fast as the consumer takes them). Starts after a given time, so a restarted
 * daemon picks up where its ledger ends. The offset of a bar is its open time.
 */
import type { BarPanel, OhlcvRow } from '@arena/core';
import { validateRow } from './validate.ts';

export interface ReplayBar {
  readonly ts: number;
  /** when the bar was handed over (ms, wall clock) */
  readonly tsRecv: number;
  readonly row: OhlcvRow & { readonly funding?: Float64Array; readonly fundingDue?: Float64Array };
  readonly offset: { readonly source: string; readonly part: number; readonly position: string };
}

export interface ReplayOptions {
  /** bars per second; 'max': no pause */
  readonly speed: number | 'max';
  /** skip bars at or before this open time (ms) */
  readonly after?: number;
  /** stop early when this returns true */
  readonly stopping?: () => boolean;
  /** a bar whose numbers are wrong (the loader keeps such rows with a warning): it is left out of the step */
  readonly onReject?: (kind: string, reason: string) => void;
  /** funding rates aligned on the panel (perpetuals): each bar carries its row */
  readonly funding?: Float64Array;
  /** funding settled at each bar's open (perpetuals, alignFundingDue): each bar carries its row */
  readonly fundingDue?: Float64Array;
}

/** Parses --speed: 'max' or a positive number of bars per second. */
export function parseSpeed(s: string): number | 'max' {
  if (s === 'max') return 'max';
  const v = Number(s);
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--speed must be 'max' or a number of bars per second > 0, got ${s}`);
  return v;
}

/** the longest a paced replay sleeps before it looks at `stopping` again, ms */
const STOP_POLL_MS = 50;

export async function* replayPanel(panel: BarPanel, o: ReplayOptions): AsyncGenerator<ReplayBar> {
  const A = panel.nAssets;
  const pause = o.speed === 'max' ? 0 : 1000 / o.speed;
  let next = performance.now();
  for (let t = 0; t < panel.nTimes; t++) {
    const ts = panel.ts[t]!;
    if (o.after !== undefined && ts <= o.after) continue;
    if (o.stopping?.()) return;
    if (pause > 0) {
      next += pause;
      // the gap in slices, so a stop is seen within STOP_POLL_MS however slow the replay (a bar a minute at --speed 0.0167)
      for (let wait = next - performance.now(); wait > 0; wait = next - performance.now()) {
        await new Promise((r) => setTimeout(r, Math.min(wait, STOP_POLL_MS)));
        if (o.stopping?.()) return;
      }
    }
    const pick = (x: Float64Array) => Float64Array.from(x.subarray(t * A, (t + 1) * A));
    const row = {
      open: pick(panel.open),
      high: pick(panel.high),
      low: pick(panel.low),
      close: pick(panel.close),
      volume: pick(panel.volume),
      present: Uint8Array.from(panel.present.subarray(t * A, (t + 1) * A)),
      ...(o.funding ? { funding: pick(o.funding) } : {}),
      ...(o.fundingDue ? { fundingDue: pick(o.fundingDue) } : {}),
    };
    // bad market data never reaches the pipeline: the cell goes absent, counted with its reason
    validateRow(panel.symbols, ts, row, o.onReject);
    yield { ts, tsRecv: Date.now(), row, offset: { source: 'replay', part: 0, position: String(ts) } };
  }
}
