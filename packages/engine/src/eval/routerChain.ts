/**
 * eval --train's routing for the pipeline it steps: a router trained per fold on the bars before the fold (minus an
 * embargo) routes the bars from its fold's start to the next fold's; before the first fold no router has been fitted,
 * so the weights are equal and the regime uniform. The contest's agents read these weights, so none of them reads a
 * router fitted on the bars it is scored on (the committed router, fitted on its own range, never enters).
 */
import type { BarPanel } from '@arena/core';
import { type RoutingSeries, equalRouting } from '@arena/router';

/** One fold's router in the chain: where it routes from, and the bars it learned from (from its card). */
export interface ChainedRouterRecord {
  readonly fold: number;
  readonly routesFrom: string;
  readonly trainedOn: { readonly from: string; readonly to: string };
}

/** routings[k]: fold k's router over the whole panel; bounds[k]: fold k's test bars [t0, t1), in order. */
export function chainRouting(panel: BarPanel, bounds: readonly (readonly [number, number])[], routings: readonly RoutingSeries[], nExperts: number): RoutingSeries {
  if (routings.length !== bounds.length) throw new Error(`a router per fold: ${bounds.length} folds, ${routings.length} routings`);
  const A = panel.nAssets;
  const T = panel.nTimes;
  const first = bounds[0]?.[0] ?? T;
  const base = equalRouting(panel, '', routings[0]?.chart, nExperts);
  const weights = base.weights;
  const regime = base.regime;
  const R = regime.length / (T * A);
  routings.forEach((r, k) => {
    if (r.weights.length !== weights.length || r.regime.length !== regime.length) throw new Error(`fold ${k + 1}'s routing covers ${r.weights.length / (A * nExperts)} bars, the panel ${T}`);
    const t0 = bounds[k]![0];
    const t1 = k + 1 < bounds.length ? bounds[k + 1]![0] : T;
    weights.set(r.weights.subarray(t0 * A * nExperts, t1 * A * nExperts), t0 * A * nExperts);
    regime.set(r.regime.subarray(t0 * A * R, t1 * A * R), t0 * A * R);
  });
  const from = first < T ? new Date(panel.ts[first]!).toISOString().slice(0, 10) : 'the end';
  return { ...base, source: routings.length > 0 ? 'model' : 'equal', note: `${routings.length} routers, each trained on the bars before its fold; equal weights before ${from}` };
}
