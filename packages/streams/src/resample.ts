/** Resampling a series to a coarser timeframe: UTC-aligned buckets, one pass over typed arrays. */
import { ERR, arenaError, bucketStart, timeframeMs } from '@arena/core';
import type { OhlcvSeries, Timeframe } from '@arena/core';

/** True when `to` bars can be built from `from` bars: same or coarser, and a whole multiple. */
export function canResample(from: Timeframe, to: Timeframe): boolean {
  const a = timeframeMs(from);
  const b = timeframeMs(to);
  return b >= a && b % a === 0;
}

/**
 * open = first, high = max, low = min, close = last, volume = sum of the sub-bars in each bucket.
 * A bucket without any sub-bar is not created (no invented bars); a partial bucket is kept as it is.
 */
export function resample(series: OhlcvSeries, to: Timeframe): OhlcvSeries {
  const from = series.timeframe;
  if (!canResample(from, to)) {
    const why = timeframeMs(to) < timeframeMs(from) ? `${to} is finer than ${from}` : `${to} is not a multiple of ${from}`;
    throw arenaError(ERR.DATA_TIMEFRAME, to, from, why);
  }
  if (to === from) return series;
  const n = series.ts.length;
  const ts = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const src = series;
  let k = -1;
  let current = NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketStart(src.ts[i]!, to);
    if (b !== current) {
      k++;
      current = b;
      ts[k] = b;
      open[k] = src.open[i]!;
      high[k] = src.high[i]!;
      low[k] = src.low[i]!;
      close[k] = src.close[i]!;
      volume[k] = src.volume[i]!;
      continue;
    }
    const h = src.high[i]!;
    const l = src.low[i]!;
    if (h > high[k]!) high[k] = h;
    if (l < low[k]!) low[k] = l;
    close[k] = src.close[i]!;
    volume[k] = volume[k]! + src.volume[i]!;
  }
  const m = k + 1;
  return {
    symbol: series.symbol,
    timeframe: to,
    ts: ts.slice(0, m),
    open: open.slice(0, m),
    high: high.slice(0, m),
    low: low.slice(0, m),
    close: close.slice(0, m),
    volume: volume.slice(0, m),
  };
}
