/**
 * A BarPanel that grows by one row per bar time, as a live stream delivers them: capacity doubles when full (a
 * new BarPanel with the rows copied), rows beyond the length hold placeholder times after the last real one.
 * Row indices never change, so streaming experts and the broker keep their state across growth.
 */
import { BarPanel, type Timeframe, timeframeMs } from '@arena/core';
import type { FeatureBar } from '@arena/features';
import type { BarHistory } from '../pipeline/pipeline.ts';

/** A bar time's row of every asset: the features stage's bar without its time, and the funding settled at its open (perpetuals). */
export type BarRow = Omit<FeatureBar, 'ts'> & { readonly fundingDue?: Float64Array };

export class GrowingPanel implements BarHistory {
  panel: BarPanel;
  length = 0;
  private readonly barMs: number;

  constructor(
    readonly symbols: readonly string[],
    readonly timeframe: Timeframe,
    capacity = 1024,
  ) {
    this.barMs = timeframeMs(timeframe);
    this.panel = this.allocate(capacity, 0);
  }

  private allocate(capacity: number, firstTs: number): BarPanel {
    const ts = new Float64Array(capacity);
    for (let t = 0; t < capacity; t++) ts[t] = t < this.length ? this.panel.ts[t]! : (this.length > 0 ? this.panel.ts[this.length - 1]! : firstTs) + (t - this.length + 1) * this.barMs;
    const p = new BarPanel(this.symbols, this.timeframe, ts);
    if (this.length > 0) {
      const n = this.length * this.symbols.length;
      for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) p[key].set(this.panel[key].subarray(0, n));
      p.present.set(this.panel.present.subarray(0, n));
    }
    return p;
  }

  get lastTs(): number | undefined {
    return this.length > 0 ? this.panel.ts[this.length - 1] : undefined;
  }

  /** Appends the bars of time ts (strictly after the last); returns the row index. */
  append(ts: number, row: BarRow): number {
    const last = this.lastTs;
    if (last !== undefined && !(ts > last)) throw new Error(`bar time ${new Date(ts).toISOString()} is not after the last one ${new Date(last).toISOString()}`);
    if (this.length === this.panel.nTimes) this.panel = this.allocate(this.panel.nTimes * 2, ts);
    const t = this.length;
    const p = this.panel;
    // the placeholder times after t must stay ascending: shift them past ts
    p.ts[t] = ts;
    for (let k = t + 1; k < p.nTimes && !(p.ts[k]! > p.ts[k - 1]!); k++) p.ts[k] = p.ts[k - 1]! + this.barMs;
    const A = this.symbols.length;
    for (let a = 0; a < A; a++) {
      const i = t * A + a;
      const here = row.present[a] === 1;
      p.open[i] = here ? row.open[a]! : NaN;
      p.high[i] = here ? row.high[a]! : NaN;
      p.low[i] = here ? row.low[a]! : NaN;
      p.close[i] = here ? row.close[a]! : NaN;
      p.volume[i] = here ? row.volume[a]! : NaN;
      p.present[i] = here ? 1 : 0;
    }
    this.length++;
    return t;
  }

  /** The rows [t0, length) as a panel of their own (a copy). */
  tail(t0: number): BarPanel {
    return this.panel.slice(Math.max(0, t0), this.length);
  }
}
