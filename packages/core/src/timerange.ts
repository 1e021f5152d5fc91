/** freqtrade-style timeranges: `20250101-20250601`, open ends (`20250101-`, `-20250601`), or unix seconds. */
import { arenaError } from './errors.ts';
import { ERR } from './codes.ts';

/** Start inclusive, end exclusive, in ms since the epoch (UTC). Missing ends are open. */
export interface Timerange {
  readonly startMs?: number;
  readonly endMs?: number;
}

function parseEnd(text: string, raw: string): number {
  if (/^\d{8}$/.test(text)) {
    const y = Number(text.slice(0, 4));
    const m = Number(text.slice(4, 6));
    const d = Number(text.slice(6, 8));
    const ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
      throw arenaError(ERR.TIMERANGE, raw, `${text} is not a calendar date`);
    }
    return ms;
  }
  if (/^\d{10}$/.test(text)) return Number(text) * 1000;
  if (/^\d{13}$/.test(text)) return Number(text);
  throw arenaError(ERR.TIMERANGE, raw, `"${text}" is neither YYYYMMDD nor a unix timestamp`);
}

export function parseTimerange(raw: string): Timerange {
  const s = raw.trim();
  const parts = s.split('-');
  if (parts.length !== 2) throw arenaError(ERR.TIMERANGE, raw, 'expected START-END, START- or -END');
  const [a = '', b = ''] = parts;
  if (a === '' && b === '') throw arenaError(ERR.TIMERANGE, raw, 'both ends are empty');
  const startMs = a === '' ? undefined : parseEnd(a, raw);
  const endMs = b === '' ? undefined : parseEnd(b, raw);
  if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
    throw arenaError(ERR.TIMERANGE, raw, 'end is not after start');
  }
  return { ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}) };
}

export function inTimerange(ts: number, r: Timerange): boolean {
  return (r.startMs === undefined || ts >= r.startMs) && (r.endMs === undefined || ts < r.endMs);
}

export function formatTimerange(r: Timerange): string {
  const f = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString().slice(0, 10).replaceAll('-', ''));
  return `${f(r.startMs)}-${f(r.endMs)}`;
}

/** [first, end) indices of an ascending time index that fall inside the range (binary search). */
export function timerangeIndices(ts: Float64Array, r: Timerange): [number, number] {
  const lowerBound = (x: number) => {
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [r.startMs === undefined ? 0 : lowerBound(r.startMs), r.endMs === undefined ? ts.length : lowerBound(r.endMs)];
}
