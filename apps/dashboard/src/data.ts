/**
 * What the dashboard shows: the engine's ledger reader (every query), plus each decision rendered with the chart
 * the router saw and its attribution, cached (a decision never changes once written; rendering is the costly part).
 */
import { EXPERT_NAMES, REGIMES } from '@arena/core';
import { LedgerReader, type RunView, attributionShares } from '@arena/engine';
import { DEFAULT_CHART, chartPng } from '@arena/router';

export type { RunView } from '@arena/engine';

/** decisions kept rendered */
const DECISION_CACHE = 512;

export class DashboardData extends LedgerReader {
  private readonly rendered = new Map<string, ReturnType<DashboardData['render']>>();

  /** The full decision at bar t: per ordered asset its exposures, weights, attribution, and the chart the router saw. */
  renderedDecision(run: RunView, t: number): ReturnType<DashboardData['render']> {
    const key = `${run.id}:${t}`;
    const hit = this.rendered.get(key);
    if (hit !== undefined) return hit;
    const d = this.render(run, t);
    if (d === undefined) return d;
    if (this.rendered.size >= DECISION_CACHE) this.rendered.delete(this.rendered.keys().next().value!);
    this.rendered.set(key, d);
    return d;
  }

  private render(run: RunView, t: number) {
    const rec = this.decision(run, t);
    if (rec === undefined) return undefined;
    const chart = DEFAULT_CHART;
    const panel = this.panel(run, Math.max(0, t - chart.window + 1), t + 1);
    // the experts as the record names them (the built-in ones, then the user's)
    const names = rec.assets.length > 0 ? Object.keys(rec.assets[0]!.weights) : [...EXPERT_NAMES];
    const share = new Float64Array(names.length);
    const assets = rec.assets.map((a) => {
      const w = names.map((e) => a.weights[e] ?? 0);
      const x = names.map((e) => a.exposures[e] ?? 0);
      attributionShares(w, x, Math.sign(a.combined) || Math.sign(a.qty), share);
      const png = panel ? chartPng(panel, panel.nTimes - 1, a.asset, chart, 3).toString('base64') : null;
      return { symbol: run.symbols[a.asset]!, asset: a.asset, qty: a.qty, combined: a.combined, regime: a.regime ?? null, exposures: a.exposures, weights: a.weights, attribution: Object.fromEntries(names.map((e, k) => [e, share[k]!])), chart: png };
    });
    return { id: rec.t, ts: rec.ts, assets, contest: rec.contest, regimes: [...REGIMES] };
  }
}
