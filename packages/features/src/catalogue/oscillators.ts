/** Oscillators: RSI, stochastic %K / %D and MACD scaled by price. */
import { MacdKernel, RollingMaxKernel, RollingMeanKernel, RollingMinKernel, RsiKernel } from '@arena/kernels';
import { type FeatureContext, type FeatureDef, maskWarmup, ratios } from './context.ts';

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
    compute: (ctx) => RsiKernel.cpu(ctx.close, { window }).data,
  };
}

/** 100 (close - lowest low) / (highest high - lowest low) over the window; 50 when the range is 0. */
function stochasticK(ctx: FeatureContext): Float64Array {
  return ctx.cached('stoch_k', () => {
    const hh = RollingMaxKernel.cpu(ctx.m(ctx.panel.high), { window: STOCH_WINDOW }).data;
    const ll = RollingMinKernel.cpu(ctx.m(ctx.panel.low), { window: STOCH_WINDOW }).data;
    const close = ctx.panel.close;
    const out = new Float64Array(close.length);
    for (let i = 0; i < out.length; i++) {
      const range = hh[i]! - ll[i]!;
      out[i] = range > 0 ? (100 * (close[i]! - ll[i]!)) / range : range === 0 ? 50 : NaN;
    }
    return out;
  });
}

/** the kernel's output type ({ macd, signal, histogram }), which @arena/kernels does not export by name */
type MacdOutput = ReturnType<typeof MacdKernel.cpu>;

function macd(ctx: FeatureContext): MacdOutput {
  return ctx.cached('macd', () => MacdKernel.cpu(ctx.close, MACD));
}

export const OSCILLATOR_FEATURES: readonly FeatureDef[] = [
  rsi(6),
  rsi(14),
  {
    name: 'stoch_k_14',
    group: 'oscillator',
    window: STOCH_WINDOW,
    description: 'stochastic %K: where the close sits in the 14-bar high-low channel, in [0, 100]',
    compute: stochasticK,
  },
  {
    name: 'stoch_d_3',
    group: 'oscillator',
    window: STOCH_WINDOW + STOCH_SMOOTH - 1,
    description: 'stochastic %D: mean of stoch_k_14 over the last 3 bars',
    compute: (ctx) => RollingMeanKernel.cpu(ctx.m(stochasticK(ctx)), { window: STOCH_SMOOTH }).data,
  },
  {
    name: 'macd_line',
    group: 'oscillator',
    window: MACD_WARMUP,
    description: 'MACD line EMA(12) - EMA(26) of the close, divided by the close',
    compute: (ctx) => maskWarmup(ratios(macd(ctx).macd.data, ctx.panel.close), ctx.panel.present, ctx.nAssets, MACD_WARMUP),
  },
  {
    name: 'macd_hist',
    group: 'oscillator',
    window: MACD_WARMUP,
    description: 'MACD histogram (line - its 9-bar EMA signal), divided by the close',
    compute: (ctx) => maskWarmup(ratios(macd(ctx).histogram.data, ctx.panel.close), ctx.panel.present, ctx.nAssets, MACD_WARMUP),
  },
];
