/**
 * What the conv net sees and learns: every feature z-scored per asset over its last Z_WINDOW defined values
 * (causal; rows where the asset has no bar are skipped; clipped to +-5, 0 where undefined), masked by the selection in effect at the sample's last bar; and, as targets, the sign
 * and the size of the forward log return over `horizon` bars in units of the trailing volatility (clipped to +-3).
 */
import type { BarPanel } from '@arena/core';
import type { FeatureSet } from '../featureSet.ts';
import { ZScoreStream } from '../online/zScores.ts';
import type { SelectionRun } from '../selector.ts';
import { Z_CLIP, Z_WINDOW } from './zWindow.ts';

export { Z_CLIP, Z_WINDOW };
const SIZE_CLIP = 3;
const VOL_SPAN = 48;

export interface ConvInputs {
  readonly nTimes: number;
  readonly nAssets: number;
  readonly nFeatures: number;
  /** z-scored features, [(t * nAssets + a) * nFeatures + f] */
  readonly z: Float32Array;
  /** per selection in the run: 1 for selected features, else 0 */
  readonly masks: readonly Float32Array[];
  /** index of the selection in effect at each row (-1: none yet) */
  readonly at: Int32Array;
}

/** z-scored inputs of a whole panel: the panel streamed through ZScoreStream, so stepping gives the same numbers. */
export function buildInputs(set: FeatureSet, run: SelectionRun): ConvInputs {
  const { nTimes: T, nAssets: A } = set;
  const F = set.features.length;
  const z = new Float32Array(T * A * F);
  const stream = new ZScoreStream(A, F, 1);
  const row = new Float64Array(F * A);
  for (let t = 0; t < T; t++) {
    for (let f = 0; f < F; f++) row.set(set.columns[f]!.subarray(t * A, (t + 1) * A), f * A);
    stream.push(row);
    z.set(stream.row(t), t * A * F);
  }
  return { nTimes: T, nAssets: A, nFeatures: F, z, masks: selectionMasks(run, F), at: run.at };
}

function selectionMasks(run: SelectionRun, F: number): Float32Array[] {
  return run.history.map((s) => {
    const m = new Float32Array(F);
    for (const i of s.indices) m[i] = 1;
    return m;
  });
}

/** The same z-scored features masked by another selection run over the same panel (the data team's choice). */
export function withSelection(inputs: ConvInputs, run: SelectionRun): ConvInputs {
  if (run.at.length !== inputs.nTimes) throw new Error(`selection run covers ${run.at.length} bars, the inputs ${inputs.nTimes}`);
  return { ...inputs, masks: selectionMasks(run, inputs.nFeatures), at: run.at };
}

/** Writes sample (t, a) — the window of rows (t - window, t] — into out at offset, masked by the selection at t. */
export function writeSample(inp: ConvInputs, window: number, t: number, a: number, out: Float32Array, offset: number): void {
  const { nAssets: A, nFeatures: F, z } = inp;
  const s = inp.at[t]!;
  if (s < 0) {
    out.fill(0, offset, offset + window * F);
    return;
  }
  const mask = inp.masks[s]!;
  for (let w = 0; w < window; w++) {
    const r = t - window + 1 + w;
    const o = offset + w * F;
    if (r < 0) {
      out.fill(0, o, o + F);
      continue;
    }
    const src = (r * A + a) * F;
    for (let f = 0; f < F; f++) out[o + f] = z[src + f]! * mask[f]!;
  }
}

export interface Targets {
  /** 1 when the forward return is > 0, else 0; NaN where unknown */
  readonly up: Float32Array;
  /** forward return / (trailing vol x sqrt(horizon)), clipped; NaN where unknown */
  readonly size: Float32Array;
  /** the raw forward log return (for IC and hit rate) */
  readonly fwd: Float64Array;
}

/** Targets per cell [t * nAssets + a]; the trailing volatility is an EWMA of squared 1-bar log returns (causal). */
export function buildTargets(panel: BarPanel, horizon: number): Targets {
  const { nTimes: T, nAssets: A, close } = panel;
  const up = new Float32Array(T * A).fill(NaN);
  const size = new Float32Array(T * A).fill(NaN);
  const fwd = new Float64Array(T * A).fill(NaN);
  const alpha = 2 / (VOL_SPAN + 1);
  for (let a = 0; a < A; a++) {
    let v = NaN;
    let prev = NaN;
    for (let t = 0; t < T; t++) {
      const c = close[t * A + a]!;
      if (c > 0 && prev > 0) {
        const r = Math.log(c / prev);
        v = v !== v ? r * r : (1 - alpha) * v + alpha * r * r;
      }
      if (c > 0) prev = c;
      if (t + horizon >= T) continue;
      const c1 = close[(t + horizon) * A + a]!;
      if (!(c > 0 && c1 > 0) || !(v > 0)) continue;
      const f = Math.log(c1 / c);
      fwd[t * A + a] = f;
      up[t * A + a] = f > 0 ? 1 : 0;
      const s = f / (Math.sqrt(v) * Math.sqrt(horizon));
      size[t * A + a] = s > SIZE_CLIP ? SIZE_CLIP : s < -SIZE_CLIP ? -SIZE_CLIP : s;
    }
  }
  return { up, size, fwd };
}
