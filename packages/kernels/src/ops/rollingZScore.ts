/** RollingZScore: (x_t - mean) / std over the last `window` rows including t (population std); NaN while the window is short, holds a NaN, or has std 0. */
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix } from '../matrix.ts';
import { RollingZScore as NAME } from '../names.ts';
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

/** Reference in Float64 from the shared sliding moments (exact zero std on a constant window). */
export function rollingZScoreCpu(x: Matrix, { window }: WindowParams): Matrix {
  checkWindow(NAME, window);
  const { mean, m2 } = rollingMomentsCpu(x, window);
  const z = m2; // reused in place
  for (let i = 0; i < z.data.length; i++) {
    const q = m2.data[i]!;
    z.data[i] = q > 0 ? (x.data[i]! - mean.data[i]!) / Math.sqrt(q / window) : NaN;
  }
  return z;
}

const WGSL = wgslWindowShader(
  1,
  WGSL_WINDOW_MOMENTS,
  /* wgsl */ `
  let m = windowMoments(t, c);
  if (!m.ok || m.m2 <= 0.0) { y0[i] = p.nan; return; }
  y0[i] = -m.d / sqrt(m.m2 / f32(p.window));`,
);

export const RollingZScoreKernel: Kernel<Matrix, WindowParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: rollingZScoreCpu,
  async tfjs(tf, x, { window }) {
    checkWindow(NAME, window);
    const [z] = await tfjsByChunks(tf, x, window, stackedRowsPerChunk(x, window), 1, (chunk, outRows) => {
      const m = tfjsMoments(tf, chunk, outRows, window);
      // x_t - mean = -(mean of x - x_t): the shift cancels exactly
      const score = m.meanShift.neg().div(m.m2.div(window).sqrt());
      return [nanWhere(tf, tf.logicalOr(m.missing, m.m2.lessEqual(0)), score)];
    });
    return z!;
  },
  async webgpu(gpu, x, params) {
    checkWindow(NAME, params.window);
    // two passes of `window` iterations must stay under the adapter's loop limit; longer windows run on the CPU
    if (2 * params.window > WGSL_MAX_LOOP) return rollingZScoreCpu(x, params);
    const [z] = await runWindowShader(gpu, NAME, WGSL, x, params.window, 1);
    return z!;
  },
});
