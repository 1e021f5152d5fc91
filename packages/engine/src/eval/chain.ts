/** Walk-forward bookkeeping: consecutive out-of-sample runs chained into one run, each fold starting where the last ended. */
import { EXIT_REASONS, type ExitReason } from '../exits.ts';
import { emptyFills, type StrategyRun } from '../result.ts';

function sumReasons(runs: readonly StrategyRun[]): Record<ExitReason, number> {
  return Object.fromEntries(EXIT_REASONS.map((k) => [k, runs.reduce((n, r) => n + r.exitsByReason[k], 0)])) as Record<ExitReason, number>;
}

function concat(parts: readonly Float64Array[], scale: readonly number[] = []): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  parts.forEach((p, i) => {
    const s = scale[i] ?? 1;
    for (let j = 0; j < p.length; j++) out[k + j] = p[j]! * s;
    k += p.length;
  });
  return out;
}

/** Chains fold runs: fold k's money amounts are scaled by the equity fold k - 1 ended with (over initialCash). */
export function chainRuns(runs: readonly StrategyRun[], initialCash: number): StrategyRun {
  if (runs.length === 1) return runs[0]!;
  const scale: number[] = [];
  let level = 1;
  for (const r of runs) {
    scale.push(level);
    const last = r.equity[r.equity.length - 1];
    level *= last !== undefined && initialCash > 0 ? last / initialCash : 1;
  }
  const assets = runs[0]!.assetPnl.length;
  const assetPnl = new Float64Array(assets);
  runs.forEach((r, i) => r.assetPnl.forEach((v, a) => (assetPnl[a] = assetPnl[a]! + v * scale[i]!)));
  return {
    name: runs[0]!.name,
    equity: concat(runs.map((r) => r.equity), scale),
    grossExposure: concat(runs.map((r) => r.grossExposure)),
    netExposure: concat(runs.map((r) => r.netExposure)),
    turnover: concat(runs.map((r) => r.turnover)),
    fees: concat(runs.map((r) => r.fees), scale),
    slippage: concat(runs.map((r) => r.slippage), scale),
    funding: concat(runs.map((r) => r.funding), scale),
    margin: concat(runs.map((r) => r.margin)),
    exitsByReason: sumReasons(runs),
    trades: runs.flatMap((r, i) => r.trades.map((t) => ({ ...t, pnl: t.pnl * scale[i]! }))),
    fills: emptyFills(),
    nFills: runs.reduce((n, r) => n + r.nFills, 0),
    nPartialFills: runs.reduce((n, r) => n + r.nPartialFills, 0),
    nCancelled: runs.reduce((n, r) => n + r.nCancelled, 0),
    assetPnl,
  };
}
