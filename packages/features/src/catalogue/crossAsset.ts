/**
 * Cross-asset: each asset against the market (the equal-weight mean of the present assets' one-bar log returns)
 * and against its peers at the same bar.
 */
import { CrossSectionalRankKernel, CrossSectionalZScoreKernel, RollingCorrelationKernel, RollingStdKernel } from '@arena/kernels';
import { type FeatureContext, type FeatureDef, broadcastRows, firstColumns, map2 } from './context.ts';

const CORR_WINDOW = 96;
const REL_WINDOW = 24;

/** Rolling correlation of every asset's one-bar returns with column `ref` of returns-with-market (A = the market). */
function correlationWith(ctx: FeatureContext, ref: number): Float64Array {
  return ctx.cached(`corr:${ref}`, () => {
    const A = ctx.nAssets;
    const corr = RollingCorrelationKernel.cpu(ctx.m(ctx.returnsWithMarket(), A + 1), { window: CORR_WINDOW, ref });
    return firstColumns(corr.data, ctx.nTimes, A + 1, A);
  });
}

/** beta = corr x std_asset / std_market over the window. */
function betaToMarket(ctx: FeatureContext): Float64Array {
  const A = ctx.nAssets;
  const std = RollingStdKernel.cpu(ctx.m(ctx.returnsWithMarket(), A + 1), { window: CORR_WINDOW }).data;
  const corr = correlationWith(ctx, A);
  const out = new Float64Array(ctx.nTimes * A);
  for (let t = 0; t < ctx.nTimes; t++) {
    const sm = std[t * (A + 1) + A]!;
    for (let a = 0; a < A; a++) out[t * A + a] = sm > 0 ? (corr[t * A + a]! * std[t * (A + 1) + a]!) / sm : NaN;
  }
  return out;
}

export const CROSS_ASSET_FEATURES: readonly FeatureDef[] = [
  {
    name: `beta_mkt_${CORR_WINDOW}`,
    group: 'cross_asset',
    window: CORR_WINDOW + 1,
    description: 'beta of the one-bar log returns to the market return over the last 96 bars',
    compute: betaToMarket,
  },
  {
    name: `corr_mkt_${CORR_WINDOW}`,
    group: 'cross_asset',
    window: CORR_WINDOW + 1,
    description: 'correlation of the one-bar log returns with the market return over the last 96 bars',
    compute: (ctx) => correlationWith(ctx, ctx.nAssets),
  },
  {
    name: `corr_btc_${CORR_WINDOW}`,
    group: 'cross_asset',
    window: CORR_WINDOW + 1,
    description: 'correlation of the one-bar log returns with BTC (the first BTC* symbol; the market when none) over 96 bars',
    compute: (ctx) => {
      const btc = ctx.btcColumn();
      return correlationWith(ctx, btc >= 0 ? btc : ctx.nAssets);
    },
  },
  {
    name: `rel_ret_${REL_WINDOW}`,
    group: 'cross_asset',
    window: REL_WINDOW + 1,
    description: 'ret_24 less the market log return over the same 24 bars',
    compute: (ctx) => {
      const market = broadcastRows(ctx.marketReturnOver(REL_WINDOW), ctx.nAssets);
      return map2(ctx.logReturns(REL_WINDOW), market, (r, m) => r - m);
    },
  },
  {
    name: `mkt_ret_${REL_WINDOW}`,
    group: 'cross_asset',
    window: REL_WINDOW + 1,
    description: 'the market log return over the last 24 bars (the sum of its one-bar returns), the same for every asset',
    compute: (ctx) => broadcastRows(ctx.marketReturnOver(REL_WINDOW), ctx.nAssets),
  },
  {
    name: `rank_ret_${REL_WINDOW}`,
    group: 'cross_asset',
    window: REL_WINDOW + 1,
    description: 'cross-sectional rank of ret_24 among the assets at the bar, in [0, 1] (ties share the mean rank)',
    compute: (ctx) => CrossSectionalRankKernel.cpu(ctx.m(ctx.logReturns(REL_WINDOW)), {}).data,
  },
  {
    name: 'rvol_xz_48',
    group: 'cross_asset',
    window: 49,
    description: 'cross-sectional z-score of rvol_48 among the assets at the bar',
    compute: (ctx) => CrossSectionalZScoreKernel.cpu(ctx.m(ctx.realizedVol(48)), {}).data,
  },
];
