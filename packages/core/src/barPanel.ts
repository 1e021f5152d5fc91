/** BarPanel: many symbols aligned on one time index; columnar Float64Arrays, time-major ([t * nAssets + a]). */
import { arenaError } from './errors.ts';
import { ERR } from './codes.ts';
import { type Timeframe, timeframeMs } from './timeframe.ts';

const DAY_MS = 86_400_000;
import type { OhlcvSeries } from './types.ts';

export class BarPanel {
  readonly nAssets: number;
  readonly nTimes: number;
  /** OHLCV at [t * nAssets + a]; NaN where the bar is missing. */
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** 1 where asset a has a real bar at time t; a missing bar (0) is never traded on. */
  readonly present: Uint8Array;

  constructor(
    readonly symbols: readonly string[],
    readonly timeframe: Timeframe,
    readonly ts: Float64Array,
  ) {
    this.nAssets = symbols.length;
    this.nTimes = ts.length;
    if (this.nAssets === 0) throw arenaError(ERR.PANEL_SHAPE, 'a panel needs at least one symbol');
    if (new Set(symbols).size !== symbols.length) throw arenaError(ERR.PANEL_SHAPE, `duplicate symbols in ${symbols.join(',')}`);
    for (let t = 1; t < ts.length; t++) {
      if (!(ts[t]! > ts[t - 1]!)) throw arenaError(ERR.PANEL_SHAPE, `time index not strictly ascending at ${t}`);
    }
    const n = this.nAssets * this.nTimes;
    this.open = new Float64Array(n).fill(NaN);
    this.high = new Float64Array(n).fill(NaN);
    this.low = new Float64Array(n).fill(NaN);
    this.close = new Float64Array(n).fill(NaN);
    this.volume = new Float64Array(n).fill(NaN);
    this.present = new Uint8Array(n);
  }

  /** Aligns series on the union of their timestamps; where a series has no bar, the cell is missing. */
  static fromSeries(series: readonly OhlcvSeries[], timeframe: Timeframe): BarPanel {
    let total = 0;
    for (const s of series) total += s.ts.length;
    const all = new Float64Array(total);
    let k = 0;
    for (const s of series) {
      all.set(s.ts, k);
      k += s.ts.length;
    }
    all.sort();
    let u = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[u - 1]) all[u++] = all[i]!;
    const panel = new BarPanel(
      series.map((s) => s.symbol),
      timeframe,
      all.slice(0, u),
    );
    const A = panel.nAssets;
    series.forEach((s, a) => {
      let t = 0;
      for (let i = 0; i < s.ts.length; i++) {
        const ts = s.ts[i]!;
        while (panel.ts[t]! < ts) t++;
        const j = t * A + a;
        panel.open[j] = s.open[i]!;
        panel.high[j] = s.high[i]!;
        panel.low[j] = s.low[i]!;
        panel.close[j] = s.close[i]!;
        panel.volume[j] = s.volume[i]!;
        panel.present[j] = 1;
      }
    });
    return panel;
  }

  /** The bars [t0, t1) as a new panel (copies). */
  slice(t0: number, t1: number): BarPanel {
    const A = this.nAssets;
    const p = new BarPanel(this.symbols, this.timeframe, this.ts.slice(t0, t1));
    for (const key of ['open', 'high', 'low', 'close', 'volume'] as const) p[key].set(this[key].subarray(t0 * A, t1 * A));
    p.present.set(this.present.subarray(t0 * A, t1 * A));
    return p;
  }

  /** One asset's column as a series of its present bars only. */
  series(a: number): OhlcvSeries {
    const A = this.nAssets;
    let n = 0;
    for (let t = 0; t < this.nTimes; t++) n += this.present[t * A + a]!;
    const out = {
      symbol: this.symbols[a]!,
      timeframe: this.timeframe,
      ts: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    let i = 0;
    for (let t = 0; t < this.nTimes; t++) {
      const j = t * A + a;
      if (!this.present[j]) continue;
      out.ts[i] = this.ts[t]!;
      out.open[i] = this.open[j]!;
      out.high[i] = this.high[j]!;
      out.low[i] = this.low[j]!;
      out.close[i] = this.close[j]!;
      out.volume[i] = this.volume[j]!;
      i++;
    }
    return out;
  }

  /**
   * Bars per year from the timeframe and the calendar the data trades on (a calendar fact, not a price, so no
   * look-ahead): 24/7 markets 365.25 days x bars per day (crypto 1h: 8766); weekday-only markets (fewer than
   * 5% of bars on a Saturday or Sunday) 252 days, daily bars 252, intraday bars 252 x the median bars per day.
   */
  periodsPerYear(): number {
    const perDay = DAY_MS / timeframeMs(this.timeframe);
    const days = new Map<number, number>();
    let weekend = 0;
    for (let t = 0; t < this.nTimes; t++) {
      const day = Math.floor(this.ts[t]! / DAY_MS);
      const w = (((day + 4) % 7) + 7) % 7; // 0 = Sunday; 1970-01-01 was a Thursday
      if (w === 0 || w === 6) weekend++;
      days.set(day, (days.get(day) ?? 0) + 1);
    }
    if (this.nTimes === 0 || weekend >= 0.05 * this.nTimes) return 365.25 * perDay;
    if (perDay <= 1) return 252;
    const counts = [...days.values()].sort((a, b) => a - b);
    return 252 * counts[counts.length >> 1]!;
  }
}
