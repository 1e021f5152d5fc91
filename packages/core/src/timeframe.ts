/** Timeframes Arena trades on, and their lengths. */
import { arenaError } from './errors.ts';
import { ERR } from './codes.ts';

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;
const MS: Record<Timeframe, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': 1440 * MINUTE,
};

export function isTimeframe(s: string): s is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(s);
}

export function parseTimeframe(s: string): Timeframe {
  if (!isTimeframe(s)) throw arenaError(ERR.TIMEFRAME, s, TIMEFRAMES.join(' '));
  return s;
}

export function timeframeMs(tf: Timeframe): number {
  return MS[tf];
}

/** The timeframe whose length equals ms exactly, or undefined. */
export function timeframeFromMs(ms: number): Timeframe | undefined {
  return TIMEFRAMES.find((tf) => MS[tf] === ms);
}

/** Start of the bar of timeframe tf that contains ts (UTC-aligned buckets). */
export function bucketStart(ts: number, tf: Timeframe): number {
  const ms = MS[tf];
  return Math.floor(ts / ms) * ms;
}
