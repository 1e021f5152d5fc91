/** Portfolio projection: combined expert exposures in [-1, 1] become target weights within the portfolio limits. */
import type { ArenaConfig } from '@arena/core';

export type PortfolioLimits = ArenaConfig['portfolio'];

/**
 * Exposure 1 on an asset means its full slot of maxGross / nAssets (all experts long on all assets is an
 * equal-weight book at maxGross). Then: long-only clips shorts, each |weight| is capped at maxPerAsset, and if the
 * gross still exceeds maxGross every weight is scaled down by the same factor. Reads exposure[offset + a],
 * writes out[a] for a in [0, out.length); returns the gross of the targets.
 */
export function projectTargets(exposure: Float64Array, offset: number, limits: PortfolioLimits, out: Float64Array): number {
  const A = out.length;
  const slot = limits.maxGross / A;
  const cap = limits.maxPerAsset;
  let gross = 0;
  for (let a = 0; a < A; a++) {
    let w = exposure[offset + a]! * slot;
    if (limits.longOnly && w < 0) w = 0;
    if (w > cap) w = cap;
    else if (w < -cap) w = -cap;
    out[a] = w;
    if (w === w) gross += w < 0 ? -w : w;
  }
  if (gross > limits.maxGross) {
    const k = limits.maxGross / gross;
    for (let a = 0; a < A; a++) out[a] = out[a]! * k;
    gross = limits.maxGross;
  }
  return gross;
}
