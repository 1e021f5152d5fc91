/**
 * The research team's proposals for one bar: every agent's target exposure per asset, written into a flat row
 * [agent * assets + a]. Reads the experts' exposures and the router's weights of that bar; an agent between its
 * decision bars, or an asset without a bar, keeps its previous proposal. Allocates nothing per call.
 */
import type { CompiledAgents } from './agents.ts';

/** Scratch space of the proposal loop: the router weights raised to each distinct 1 / temperature. */
export class ProposalScratch {
  readonly powered: Float64Array;
  constructor(
    readonly agents: CompiledAgents,
    readonly nAssets: number,
  ) {
    this.powered = new Float64Array(agents.invTemperatures.length * nAssets * agents.nExperts);
  }
}

export interface BarInputs {
  /** per expert, time-major exposures [t * nAssets + a] (NaN: the expert has no opinion yet) */
  readonly exposures: readonly ArrayLike<number>[];
  /** router weights [(t * nAssets + a) * experts + e]; absent: equal weights for every agent */
  readonly weights?: ArrayLike<number>;
  /** 1 where the asset has a bar at t, [t * nAssets + a] */
  readonly present: ArrayLike<number>;
}

/** Bar index counted from the epoch: agents re-decide when it is a multiple of their horizon. */
export function barIndex(ts: number, barMs: number): number {
  return Math.round(ts / barMs);
}

/**
 * Writes every agent's proposal for bar t into out[outOffset ..]; `prev` (at prevOffset) is the previous bar's row,
 * or undefined at the first bar (everyone decides).
 */
export function proposeRow(
  s: ProposalScratch,
  input: BarInputs,
  t: number,
  bar: number,
  prev: Float32Array | undefined,
  prevOffset: number,
  out: Float32Array,
  outOffset: number,
): void {
  const { agents } = s;
  const A = s.nAssets;
  const E = agents.nExperts;
  const inv = agents.invTemperatures;
  const pw = s.powered;
  const w = input.weights;
  for (let k = 0; k < inv.length; k++) {
    const p = inv[k]!;
    for (let a = 0; a < A; a++) {
      for (let e = 0; e < E; e++) {
        const v = w === undefined || p === 0 ? 1 : w[(t * A + a) * E + e]!;
        pw[(k * A + a) * E + e] = p === 1 || p === 0 || w === undefined ? v : Math.pow(v, p);
      }
    }
  }
  const ex = input.exposures;
  for (let i = 0; i < agents.n; i++) {
    const o = outOffset + i * A;
    const po = prevOffset + i * A;
    if (prev !== undefined && bar % agents.horizon[i]! !== 0) {
      for (let a = 0; a < A; a++) out[o + a] = prev[po + a]!;
      continue;
    }
    const g = agents.appetite[i]! * agents.side[i]!;
    const kb = agents.tau[i]! * A;
    const mb = i * E;
    let sum = 0;
    let live = 0;
    for (let a = 0; a < A; a++) {
      if (input.present[t * A + a] !== 1) {
        out[o + a] = prev === undefined ? 0 : prev[po + a]!;
        continue;
      }
      let num = 0;
      let den = 0;
      const wb = (kb + a) * E;
      for (let e = 0; e < E; e++) {
        if (agents.mask[mb + e] !== 1) continue;
        const x = ex[e]![t * A + a]!;
        if (x !== x) continue;
        const we = pw[wb + e]!;
        num += we * x;
        den += we;
      }
      const v = den > 0 ? (g * num) / den : 0;
      out[o + a] = v;
      sum += v;
      live++;
    }
    // a market-neutral book: minus the view's mean over the assets with a bar (a lone asset: flat)
    const shift = agents.neutral[i] === 1 && live > 0 ? sum / live : 0;
    for (let a = 0; a < A; a++) {
      if (input.present[t * A + a] !== 1) continue;
      const v = out[o + a]! - shift;
      out[o + a] = v > 1 ? 1 : v < -1 ? -1 : v;
    }
  }
}

/** Proposals for bars [t0, t1) in one array [(t - t0) * agents * assets + agent * assets + a]. */
export function proposeRange(agents: CompiledAgents, input: BarInputs, ts: ArrayLike<number>, barMs: number, nAssets: number, t0: number, t1: number): Float32Array {
  const row = agents.n * nAssets;
  const out = new Float32Array((t1 - t0) * row);
  const scratch = new ProposalScratch(agents, nAssets);
  for (let t = t0; t < t1; t++) {
    const k = t - t0;
    proposeRow(scratch, input, t, barIndex(ts[t]!, barMs), k > 0 ? out : undefined, (k - 1) * row, out, k * row);
  }
  return out;
}
