/**
 * The one validator every market source goes through (replay of files, Kafka, ccxt live; a backtest's panel too):
 * a bar's time must be a whole number of ms on the timeframe's grid, after 2000 and not in the future; its prices
 * finite, > 0 and sane, its volume >= 0, high and low bounding open and close. A bad cell never reaches the
 * pipeline: it goes absent, and the caller counts and records the reason.
 */
import { BarPanel, type Timeframe, timeframeMs } from '@arena/core';

const MAX_PRICE = 1e12;
/** 2000-01-01: a bar time before it is a mistake (seconds sent for milliseconds, a zero) */
const EARLIEST_TS = 946_684_800_000;
/** a bar may open at most this far ahead of the wall clock (clock skew between a venue and us) */
const FUTURE_SLACK_MS = 60_000;

export interface Problem {
  readonly kind: string;
  readonly reason: string;
}

/** What is wrong with a bar's numbers (prices > 0 and sane, volume >= 0, high and low bounding open and close), or undefined. */
export function barProblem(open: number, high: number, low: number, close: number, volume: number): Problem | undefined {
  const p = priceProblem('open', open) ?? priceProblem('high', high) ?? priceProblem('low', low) ?? priceProblem('close', close);
  if (p !== undefined) return p;
  if (!Number.isFinite(volume)) return { kind: 'number', reason: `volume is not finite (${volume})` };
  if (volume < 0) return { kind: 'volume', reason: `volume ${volume} is negative` };
  if (high < Math.max(open, close, low) || low > Math.min(open, close)) return { kind: 'ohlc', reason: `high ${high} / low ${low} do not bound open ${open} and close ${close}` };
  return undefined;
}

function priceProblem(field: string, v: number): Problem | undefined {
  if (v > 0 && v <= MAX_PRICE) return undefined; // the common case, no allocation
  if (!Number.isFinite(v)) return { kind: 'number', reason: `${field} is not finite (${v})` };
  if (!(v > 0)) return { kind: 'price', reason: `${field} ${v} is not > 0` };
  return { kind: 'price', reason: `${field} ${v} is absurd (> ${MAX_PRICE})` };
}

/** What is wrong with a bar's open time for a stream of `timeframe` bars received `now`, or undefined. */
export function timeProblem(ts: number, timeframe: Timeframe, now: number = Date.now()): Problem | undefined {
  if (!Number.isInteger(ts) || ts < 0) return { kind: 'ts', reason: `ts ${ts} is not a non-negative integer of ms` };
  if (ts < EARLIEST_TS) return { kind: 'ts', reason: `ts ${ts} is before 2000 (${new Date(ts).toISOString()}): seconds instead of milliseconds?` };
  if (ts > now + FUTURE_SLACK_MS) return { kind: 'ts', reason: `ts ${new Date(ts).toISOString()} is in the future (now ${new Date(now).toISOString()})` };
  const step = timeframeMs(timeframe);
  if (ts % step !== 0) return { kind: 'grid', reason: `ts ${new Date(ts).toISOString()} is not on the ${timeframe} grid (bars open at multiples of ${step} ms)` };
  return undefined;
}

/** A row of cells as sources deliver them (present is written: a bad cell goes absent). */
export interface ValidatedRow {
  readonly open: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
  readonly present: { [a: number]: number; readonly length: number };
}

/** Checks every present cell of a row; a bad one goes absent and `onReject` gets its kind and reason. Returns how many went. */
export function validateRow(symbols: readonly string[], ts: number, row: ValidatedRow, onReject?: (kind: string, reason: string) => void): number {
  let n = 0;
  for (let a = 0; a < symbols.length; a++) {
    if (row.present[a] !== 1) continue;
    const p = barProblem(row.open[a]!, row.high[a]!, row.low[a]!, row.close[a]!, row.volume[a]!);
    if (p === undefined) continue;
    row.present[a] = 0;
    n++;
    onReject?.(p.kind, `${symbols[a]} ${new Date(ts).toISOString()}: ${p.reason}`);
  }
  return n;
}

/**
 * A panel as a daemon's source would deliver it: a copy whose bad cells are absent (the panel itself when none is),
 * with each rejection. Backtests run on it, so they step exactly the bars a replay of the same data steps.
 */
export function validatePanel(panel: BarPanel, onReject?: (kind: string, reason: string) => void): { panel: BarPanel; rejected: number } {
  const A = panel.nAssets;
  let copy: BarPanel | undefined;
  let rejected = 0;
  for (let t = 0; t < panel.nTimes; t++) {
    const s = t * A;
    const row = { open: panel.open.subarray(s, s + A), high: panel.high.subarray(s, s + A), low: panel.low.subarray(s, s + A), close: panel.close.subarray(s, s + A), volume: panel.volume.subarray(s, s + A), present: Uint8Array.from(panel.present.subarray(s, s + A)) };
    const n = validateRow(panel.symbols, panel.ts[t]!, row, onReject);
    if (n === 0) continue;
    rejected += n;
    if (copy === undefined) {
      copy = new BarPanel(panel.symbols, panel.timeframe, panel.ts);
      for (const key of ['open', 'high', 'low', 'close', 'volume', 'present'] as const) copy[key].set(panel[key] as never);
    }
    copy.present.set(row.present, s);
  }
  return { panel: copy ?? panel, rejected };
}
