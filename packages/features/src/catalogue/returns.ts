/** Returns: log returns of the close over several horizons. */
import type { FeatureDef } from './context.ts';

const LAGS = [1, 4, 12, 24, 72] as const;

export const RETURN_FEATURES: readonly FeatureDef[] = LAGS.map((lag) => ({
  name: `ret_${lag}`,
  group: 'returns',
  window: lag + 1,
  description: `log return of the close over the last ${lag} bar${lag === 1 ? '' : 's'}, ln(close_t / close_{t-${lag}})`,
  stream: (ctx) => ctx.logReturns(lag),
}));
