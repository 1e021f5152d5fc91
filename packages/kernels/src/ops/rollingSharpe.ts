/** RollingSharpe: per column (agent) of per-bar returns, the window's mean, sample std (n - 1) and their ratio (not annualised); NaN while short, on a NaN, or (sharpe) when std is 0. */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix } from '../matrix.ts';
import { RollingSharpe as NAME } from '../names.ts';
import type { WindowParams } from './rollingMean.ts';
import {
  WGSL_MAX_LOOP,
  WGSL_WINDOW_MOMENTS,
  checkWindow,
  nanWhere,
  rollingMomentsCpu,
  runWindowShader,
  stackedRowsPerChunk,
  tfjsByChunks,
  tfjsMoments,
  wgslWindowShader,
} from './rollingStd.ts';

export interface RollingSharpeResult {
  readonly mean: Matrix;
  /** sample standard deviation (n - 1) */
  readonly std: Matrix;
  /** mean / std, per bar (not annualised) */
  readonly sharpe: Matrix;
}

/** A sample std needs two returns. */
const MIN_WINDOW = 2;

/** Reference in Float64 from the shared sliding moments (exact zero std on constant returns). */
export function rollingSharpeCpu(r: Matrix, { window }: WindowParams): RollingSharpeResult {
  checkWindow(NAME, window, MIN_WINDOW);
  const { mean, m2 } = rollingMomentsCpu(r, window);
  const std = m2; // reused in place
  const sharpe = { rows: r.rows, cols: r.cols, data: new Float64Array(r.rows * r.cols) };
  for (let i = 0; i < std.data.length; i++) {
    const s = Math.sqrt(m2.data[i]! / (window - 1));
    std.data[i] = s;
    sharpe.data[i] = s > 0 ? mean.data[i]! / s : NaN;
  }
  return { mean, std, sharpe };
}

const WGSL = wgslWindowShader(
  3,
  WGSL_WINDOW_MOMENTS,
  /* wgsl */ `
  let m = windowMoments(t, c);
  if (!m.ok) { y0[i] = p.nan; y1[i] = p.nan; y2[i] = p.nan; return; }
  let mu = m.shift + m.d;
  let sd = sqrt(m.m2 / f32(p.window - 1u));
  y0[i] = mu;
  y1[i] = sd;
  if (m.m2 <= 0.0) { y2[i] = p.nan; } else { y2[i] = mu / sd; }`,
);

export const RollingSharpeKernel: Kernel<Matrix, WindowParams, RollingSharpeResult> = registerKernel({
  name: NAME,
  size: (r) => r.rows * r.cols,
  cpu: rollingSharpeCpu,
  async tfjs(tf, r, { window }) {
    checkWindow(NAME, window, MIN_WINDOW);
    const [mean, std, sharpe] = await tfjsByChunks(tf, r, window, stackedRowsPerChunk(r, window), 3, (chunk, outRows) => {
      const m = tfjsMoments(tf, chunk, outRows, window);
      const mu = m.last.add(m.meanShift);
      const sd = m.m2.div(window - 1).sqrt();
      return [
        nanWhere(tf, m.missing, mu),
        nanWhere(tf, m.missing, sd),
        nanWhere(tf, tf.logicalOr(m.missing, m.m2.lessEqual(0)), mu.div(sd)),
      ];
    });
    return { mean: mean!, std: std!, sharpe: sharpe! };
  },
  async webgpu(gpu, r, params) {
    checkWindow(NAME, params.window, MIN_WINDOW);
    // two passes of `window` iterations must stay under the adapter's loop limit; longer windows run on the CPU
    if (2 * params.window > WGSL_MAX_LOOP) return rollingSharpeCpu(r, params);
    const [mean, std, sharpe] = await runWindowShader(gpu, NAME, WGSL, r, params.window, 3);
    return { mean: mean!, std: std!, sharpe: sharpe! };
  },
});
