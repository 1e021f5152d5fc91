/**
 * The normalised bar message on `arena.md.bars.<tf>`: key `venue:symbol`, value JSON
 * {venue, symbol, tf, ts, open, high, low, close, volume} (ts: the bar's open time, ms UTC). `validateBar` says
 * exactly what is wrong with a message, so the daemon can count it, send it to `arena.md.rejected` and go on.
 */
import type { Timeframe } from '@arena/core';
import { barProblem, timeProblem } from '../validate.ts';

export const barsTopic = (tf: string) => `arena.md.bars.${tf}`;
export const REJECTED_TOPIC = 'arena.md.rejected';
export const DECISIONS_TOPIC = 'arena.decisions';
export const FILLS_TOPIC = 'arena.fills';
/**
 * The header every output message (fills, decisions, rejections) carries: the daemon's run uid (RunInfo.uid in the
 * ledger), also its values' `runUid`. Run ids restart at 1 in every ledger; uids tell daemons sharing a cluster apart.
 */
export const RUN_UID_HEADER = 'arena-run-uid';

export interface BarMessage {
  readonly venue: string;
  readonly symbol: string;
  readonly tf: string;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export type Validation = { readonly ok: true; readonly bar: BarMessage } | { readonly ok: false; readonly reason: string; readonly kind: string };

const fail = (kind: string, reason: string): Validation => ({ ok: false, kind, reason });

/** Checks one message: JSON, fields and types, the key, the timeframe, the universe, prices and volume. */
export function validateBar(key: string | null, value: string | null, o: { timeframe: Timeframe; symbols: ReadonlySet<string> }): Validation {
  if (value === null || value.length === 0) return fail('empty', 'empty message value');
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch (e) {
    return fail('json', `not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('shape', 'value is not a JSON object');
  const m = v as Record<string, unknown>;
  for (const f of ['venue', 'symbol', 'tf'] as const) if (typeof m[f] !== 'string' || m[f] === '') return fail('field', `${f} must be a non-empty string, got ${JSON.stringify(m[f])}`);
  for (const f of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
    if (typeof m[f] !== 'number') return fail('field', `${f} must be a number, got ${JSON.stringify(m[f]) ?? 'nothing'}`);
    if (!Number.isFinite(m[f])) return fail('number', `${f} is not finite (${String(m[f])})`);
  }
  const bar = m as unknown as BarMessage;
  if (key !== `${bar.venue}:${bar.symbol}`) return fail('key', `key ${JSON.stringify(key)} does not match venue:symbol ${bar.venue}:${bar.symbol}`);
  if (bar.tf !== o.timeframe) return fail('timeframe', `timeframe ${bar.tf}, this daemon trades ${o.timeframe}`);
  if (!o.symbols.has(bar.symbol)) return fail('symbol', `unknown symbol ${bar.symbol} (universe: ${[...o.symbols].join(', ')})`);
  const late = timeProblem(bar.ts, o.timeframe);
  if (late !== undefined) return fail(late.kind, late.reason);
  const problem = barProblem(bar.open, bar.high, bar.low, bar.close, bar.volume);
  return problem ? fail(problem.kind, problem.reason) : { ok: true, bar };
}
