/**
 * The vision-language-model router: every `every` bars, per asset, the chart PNG and a text summary of the
 * long-horizon features and the experts' exposures go to the VLM (VlmClient); its regime probabilities and weights
 * hold until the next ask. Any failure (timeout, error, invalid answer) keeps the local router's decisions for
 * that window (bar by bar), with the reason counted; an asset with no bar at the ask keeps them too, uncounted.
 * Requests run `concurrency` at a time. Anonymised (the default), the summary names neither the asset nor the
 * bar's time, and the chart has no axes: what a pretrained model sees cannot be looked up in its memory.
 */
import { type BarPanel, EXPERT_NAMES } from '@arena/core';
import { chartPng } from './charts.ts';
import { N_EXPERTS, N_REGIMES, type RouterDecision } from './decision.ts';
import { type Router, type RoutingSeries } from './router.ts';
import type { ChartSpec } from './spec.ts';
import { LONG_HORIZON, buildTemporal } from './temporal.ts';
import { type VlmClient, featureSummary } from './vlm/index.ts';

/** Charts are enlarged 4x (nearest neighbour) so the model sees crisp candles. */
const PNG_SCALE = 4;

export class VlmRouter implements Router {
  readonly source = 'vlm' as const;
  readonly note: string;

  constructor(
    readonly client: VlmClient,
    readonly local: Router,
    readonly chart: ChartSpec,
    readonly every: number,
    readonly concurrency: number,
    /** withhold the symbol and the bar's time (the chart carries no prices or dates) */
    readonly anonymize = true,
  ) {
    this.note = `VLM ${client.model} at ${client.endpoint} every ${every} bars${anonymize ? ', anonymised' : ''}; fallback: ${local.note}`;
  }

  async route(panel: BarPanel, experts: readonly Float64Array[], funding?: Float64Array): Promise<RoutingSeries> {
    const local = await this.local.route(panel, experts, funding);
    const A = panel.nAssets;
    const T = panel.nTimes;
    const weights = local.weights.slice();
    const regime = local.regime.slice();
    const fellBack = new Uint8Array(T * A);
    const { x, dim } = buildTemporal(panel, experts, undefined, 0);
    const jobs: [number, number][] = [];
    for (let t = this.chart.window - 1; t < T; t += this.every) for (let a = 0; a < A; a++) if (panel.present[t * A + a] === 1) jobs.push([t, a]);
    const reasons = new Map<string, number>();
    const run = async ([t, a]: [number, number]) => {
      const cell = t * A + a;
      const png = chartPng(panel, t, a, this.chart, PNG_SCALE);
      const features: Record<string, number> = {};
      LONG_HORIZON.forEach((name, j) => (features[name] = x[cell * dim + j]!));
      const exposures: Record<string, number> = {};
      EXPERT_NAMES.forEach((name, e) => (exposures[name] = experts[e]![cell]!));
      const summary = featureSummary(this.anonymize ? { timeframe: panel.timeframe, features, exposures } : { symbol: panel.symbols[a]!, timeframe: panel.timeframe, ts: panel.ts[t]!, features, exposures });
      const fallback = (): RouterDecision => ({
        regime: Float64Array.from(local.regime.subarray(cell * N_REGIMES, (cell + 1) * N_REGIMES)),
        weights: Float64Array.from(local.weights.subarray(cell * N_EXPERTS, (cell + 1) * N_EXPERTS)),
        source: local.source,
      });
      const d = await this.client.decide({ png, summary }, fallback);
      const failed = d.source !== 'vlm';
      if (failed) {
        const kind = (d.fallbackReason ?? 'unknown').split(':')[0]!;
        reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      }
      for (let k = t; k < Math.min(T, t + this.every); k++) {
        const c = k * A + a;
        if (failed) {
          fellBack[c] = 1;
          continue; // the local decisions stay in place bar by bar
        }
        weights.set(d.weights, c * N_EXPERTS);
        regime.set(d.regime, c * N_REGIMES);
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await run(jobs[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, worker));
    const failures = [...reasons.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
    const note = `${this.note}; ${jobs.length} asks, ${jobs.length - [...reasons.values()].reduce((s, n) => s + n, 0)} answered${failures ? `, fell back: ${failures}` : ''}`;
    return { nTimes: T, nAssets: A, weights, regime, source: 'vlm', note, fellBack, chart: this.chart };
  }
}
