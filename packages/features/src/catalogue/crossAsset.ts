/**
 * Cross-asset: each asset against the market (the equal-weight mean of the present assets' one-bar log returns)
 * and against its peers at the same bar.
 */
import type { FeatureContext, FeatureDef, FeatureNode } from './context.ts';

const CORR_WINDOW = 96;
const REL_WINDOW = 24;

/** beta = corr x std_asset / std_market over the window. */
function betaToMarket(ctx: FeatureContext): FeatureNode {
  const A = ctx.nAssets;
  const std = ctx.returnsStd(CORR_WINDOW);
  const corr = ctx.correlationWith(A, CORR_WINDOW);
  return ctx.node(`beta_mkt_${CORR_WINDOW}`, (out) => {
    const sm = std.value[A]!;
    for (let a = 0; a < A; a++) out[a] = sm > 0 ? (corr.value[a]! * std.value[a]!) / sm : NaN;
  });
}

export const CROSS_ASSET_FEATURES: readonly FeatureDef[] = [
  {
    name: `beta_mkt_${CORR_WINDOW}`,
    group: 'cross_asset',
    window: CORR_WINDOW + 1,
    description: 'beta of the one-bar log returns to the market return over the last 96 bars',
    stream: betaToMarket,
  },
  {
    name: `corr_mkt_${CORR_WINDOW}`,
    group: 'cross_asset',
    window: CORR_WINDOW + 1,
    description: 'correlation of the one-bar log returns with the market return over the last 96 bars',
    stream: (ctx) => ctx.correlationWith(ctx.nAssets, CORR_WINDOW),
  },
  {
    name: `corr_btc_${CORR_WINDOW}`,
    group: 'cross_asset',
    window: CORR_WINDOW + 1,
    description: 'correlation of the one-bar log returns with BTC (the first BTC* symbol; the market when none) over 96 bars',
    stream: (ctx) => {
      const btc = ctx.btcColumn();
      return ctx.correlationWith(btc >= 0 ? btc : ctx.nAssets, CORR_WINDOW);
    },
  },
  {
    name: `rel_ret_${REL_WINDOW}`,
    group: 'cross_asset',
    window: REL_WINDOW + 1,
    description: 'ret_24 less the market log return over the same 24 bars',
    stream: (ctx) => ctx.map2(`rel_ret_${REL_WINDOW}`, ctx.logReturns(REL_WINDOW), ctx.marketReturnOver(REL_WINDOW), (r, m) => r - m),
  },
  {
    name: `mkt_ret_${REL_WINDOW}`,
    group: 'cross_asset',
    window: REL_WINDOW + 1,
    description: 'the market log return over the last 24 bars (the sum of its one-bar returns), the same for every asset',
    stream: (ctx) => ctx.marketReturnOver(REL_WINDOW),
  },
  {
    name: `rank_ret_${REL_WINDOW}`,
    group: 'cross_asset',
    window: REL_WINDOW + 1,
    description: 'cross-sectional rank of ret_24 among the assets at the bar, in [0, 1] (ties share the mean rank)',
    stream: (ctx) => ctx.crossSectionalRank(`ret:${REL_WINDOW}`, ctx.logReturns(REL_WINDOW)),
  },
  {
    name: 'rvol_xz_48',
    group: 'cross_asset',
    window: 49,
    description: 'cross-sectional z-score of rvol_48 among the assets at the bar',
    stream: (ctx) => ctx.crossSectionalZScore('rvol:48', ctx.realizedVol(48)),
  },
];
