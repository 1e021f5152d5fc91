/** What the router did over a run, for reports: mean weights and regime probabilities, and both over time (bucket means). */
import type { BarPanel } from '@arena/core';
import type { RoutingSeries } from '@arena/router';

export interface RoutingSummary {
  readonly source: string;
  readonly note: string;
  /** mean over present cells, per expert / per regime */
  readonly meanWeights: readonly number[];
  readonly meanRegime: readonly number[];
  /** bucket start times (ms UTC) and the bucket means over bars and present assets */
  readonly ts: readonly number[];
  readonly weights: readonly (readonly number[])[];
  readonly regime: readonly (readonly number[])[];
  /** cells where a VLM failed and the local router decided */
  readonly fellBack: number;
}

export function summariseRouting(panel: BarPanel, routing: RoutingSeries, maxPoints = 400): RoutingSummary {
  const A = panel.nAssets;
  const T = panel.nTimes;
  const E = routing.weights.length / (T * A);
  const R = routing.regime.length / (T * A);
  const bucket = Math.max(1, Math.ceil(T / maxPoints));
  const meanW = new Float64Array(E);
  const meanR = new Float64Array(R);
  let cells = 0;
  const ts: number[] = [];
  const weights: number[][] = [];
  const regime: number[][] = [];
  for (let t0 = 0; t0 < T; t0 += bucket) {
    const w = new Float64Array(E);
    const r = new Float64Array(R);
    let n = 0;
    for (let t = t0; t < Math.min(T, t0 + bucket); t++) {
      for (let a = 0; a < A; a++) {
        const c = t * A + a;
        if (panel.present[c] !== 1) continue;
        n++;
        for (let e = 0; e < E; e++) w[e] = w[e]! + routing.weights[c * E + e]!;
        for (let k = 0; k < R; k++) r[k] = r[k]! + routing.regime[c * R + k]!;
      }
    }
    if (n === 0) continue;
    for (let e = 0; e < E; e++) meanW[e] = meanW[e]! + w[e]!;
    for (let k = 0; k < R; k++) meanR[k] = meanR[k]! + r[k]!;
    cells += n;
    ts.push(panel.ts[t0]!);
    weights.push(Array.from(w, (v) => v / n));
    regime.push(Array.from(r, (v) => v / n));
  }
  let fellBack = 0;
  if (routing.fellBack) for (const v of routing.fellBack) fellBack += v;
  return {
    source: routing.source,
    note: routing.note,
    meanWeights: Array.from(meanW, (v) => (cells ? v / cells : 0)),
    meanRegime: Array.from(meanR, (v) => (cells ? v / cells : 0)),
    ts,
    weights,
    regime,
    fellBack,
  };
}
