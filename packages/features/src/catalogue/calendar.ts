/** Calendar: time of day and day of week (UTC) on the unit circle, so 23:00 sits next to 00:00. */
import type { FeatureContext, FeatureDef, FeatureNode } from './context.ts';

const DAY_MS = 86_400_000;

/** fraction of the UTC day elapsed at the bar's open time, in [0, 1) */
const dayFraction = (ts: number) => (((ts % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
/** day of the week, 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday) */
const weekday = (ts: number) => (((Math.floor(ts / DAY_MS) + 3) % 7) + 7) % 7;

function onCircle(ctx: FeatureContext, key: string, phase: (ts: number) => number, f: (x: number) => number): FeatureNode {
  return ctx.node(key, (out) => out.fill(f(2 * Math.PI * phase(ctx.bar.ts))));
}

export const CALENDAR_FEATURES: readonly FeatureDef[] = [
  {
    name: 'hour_sin',
    group: 'calendar',
    window: 0,
    description: 'sin(2 pi x fraction of the UTC day at the bar open)',
    stream: (ctx) => onCircle(ctx, 'hour_sin', dayFraction, Math.sin),
  },
  {
    name: 'hour_cos',
    group: 'calendar',
    window: 0,
    description: 'cos(2 pi x fraction of the UTC day at the bar open)',
    stream: (ctx) => onCircle(ctx, 'hour_cos', dayFraction, Math.cos),
  },
  {
    name: 'dow_sin',
    group: 'calendar',
    window: 0,
    description: 'sin(2 pi x UTC weekday / 7), Monday = 0',
    stream: (ctx) => onCircle(ctx, 'dow_sin', (ts) => weekday(ts) / 7, Math.sin),
  },
  {
    name: 'dow_cos',
    group: 'calendar',
    window: 0,
    description: 'cos(2 pi x UTC weekday / 7), Monday = 0',
    stream: (ctx) => onCircle(ctx, 'dow_cos', (ts) => weekday(ts) / 7, Math.cos),
  },
];
