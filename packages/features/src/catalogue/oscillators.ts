/** Oscillators: RSI, stochastic %K / %D and MACD scaled by price. */
import { EmaStream } from '@arena/kernels';
import type { FeatureContext, FeatureDef, FeatureNode } from './context.ts';

const STOCH_WINDOW = 14;
const STOCH_SMOOTH = 3;
const MACD = { fast: 12, slow: 26, signal: 9 } as const;
/** bars before MACD's signal line has seen `signal` values of a line that itself needs `slow` */
const MACD_WARMUP = MACD.slow + MACD.signal;

function rsi(window: number): FeatureDef {
  return {
    name: `rsi_${window}`,
    group: 'oscillator',
    window: window + 1,
    description: `Wilder's RSI over ${window} bars, in [0, 100]`,
    stream: (ctx) => ctx.rsi(window),
  };
}

/** 100 (close - lowest low) / (highest high - lowest low) over the window; 50 when the range is 0. */
function stochasticK(ctx: FeatureContext): FeatureNode {
  const hh = ctx.rollingExtreme('high', ctx.field('high'), STOCH_WINDOW, true);
  const ll = ctx.rollingExtreme('low', ctx.field('low'), STOCH_WINDOW, false);
  const close = ctx.field('close');
  return ctx.node('stoch_k', (out) => {
    for (let a = 0; a < out.length; a++) {
      const range = hh.value[a]! - ll.value[a]!;
      out[a] = range > 0 ? (100 * (close.value[a]! - ll.value[a]!)) / range : range === 0 ? 50 : NaN;
    }
  });
}

/** MACD of the close: the fast EMA less the slow one, and that line less its own EMA (the signal). */
function macd(ctx: FeatureContext): { line: FeatureNode; histogram: FeatureNode } {
  const fast = ctx.ema(MACD.fast);
  const slow = ctx.ema(MACD.slow);
  const line = ctx.map2('macd', fast, slow, (f, s) => f - s);
  const signal = new EmaStream(ctx.nAssets, 2 / (MACD.signal + 1));
  const histogram = ctx.node('macd_histogram', (out) => {
    signal.push(line.value, 0);
    for (let a = 0; a < out.length; a++) out[a] = line.value[a]! - signal.value[a]!;
  });
  return { line, histogram };
}

export const OSCILLATOR_FEATURES: readonly FeatureDef[] = [
  rsi(6),
  rsi(14),
  {
    name: 'stoch_k_14',
    group: 'oscillator',
    window: STOCH_WINDOW,
    description: 'stochastic %K: where the close sits in the 14-bar high-low channel, in [0, 100]',
    stream: stochasticK,
  },
  {
    name: 'stoch_d_3',
    group: 'oscillator',
    window: STOCH_WINDOW + STOCH_SMOOTH - 1,
    description: 'stochastic %D: mean of stoch_k_14 over the last 3 bars',
    stream: (ctx) => ctx.rollingMean('stoch_k', stochasticK(ctx), STOCH_SMOOTH),
  },
  {
    name: 'macd_line',
    group: 'oscillator',
    window: MACD_WARMUP,
    description: 'MACD line EMA(12) - EMA(26) of the close, divided by the close',
    stream: (ctx) => ctx.warmup('macd_line', ctx.ratio('macd/close', macd(ctx).line, ctx.field('close')), MACD_WARMUP),
  },
  {
    name: 'macd_hist',
    group: 'oscillator',
    window: MACD_WARMUP,
    description: 'MACD histogram (line - its 9-bar EMA signal), divided by the close',
    stream: (ctx) => ctx.warmup('macd_hist', ctx.ratio('macd_hist/close', macd(ctx).histogram, ctx.field('close')), MACD_WARMUP),
  },
];
