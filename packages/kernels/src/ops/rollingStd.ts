/** RollingStd: population standard deviation of the last `window` rows of each column (NaN while short or on a NaN), plus the windowed-moments plumbing RollingZScore and RollingSharpe share. */
import type * as tfjs from '@tensorflow/tfjs';
import { type GpuContext, WGSL_NAN, uniforms } from '../gpu/context.ts';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { RollingStd as NAME } from '../names.ts';
import type { Tf } from '../runtime/tfjs.ts';
import type { WindowParams } from './rollingMean.ts';
import { chunkRows, fromFloat32, tfjsChunkElements } from './util.ts';

export function checkWindow(kernel: string, window: number, min = 1): void {
  if (!Number.isInteger(window) || window < min) throw new Error(`${kernel}: window must be an integer >= ${min}, got ${window}`);
}

// ---------------------------------------------------------------------------------------------------------------
// CPU

export interface WindowMoments {
  /** mean of the window ending at each cell; NaN while the window is short or holds a NaN */
  readonly mean: Matrix;
  /** sum of squared deviations from that mean (>= 0; exactly 0 when the window's values are all equal) */
  readonly m2: Matrix;
}

/**
 * Reference moments in Float64, O(1) amortised per cell: a sliding update of mean and m2 (Welford's replace step),
 * recomputed exactly by two passes whenever the window becomes valid and every `window` rows after, so rounding
 * never accumulates over more than one window. A run of `window` equal values forces m2 = 0 exactly (a sliding
 * update would leave a residue there, and callers test std = 0).
 */
export function rollingMomentsCpu(x: Matrix, window: number): WindowMoments {
  const { rows, cols, data } = x;
  const mean = nanMatrix(rows, cols);
  const m2 = nanMatrix(rows, cols);
  for (let c = 0; c < cols; c++) {
    let lastNan = -Infinity;
    let run = 0; // equal consecutive values ending at t
    let mu = 0;
    let q = 0;
    let sinceExact = Infinity; // rows since the last exact recomputation; Infinity: the window was not valid
    for (let t = 0; t < rows; t++) {
      const i = t * cols + c;
      const v = data[i]!;
      if (v !== v) lastNan = t;
      run = t > 0 && v === data[i - cols] ? run + 1 : 1;
      if (t < window - 1 || t - lastNan < window) {
        sinceExact = Infinity;
        continue;
      }
      if (sinceExact >= window) {
        let s = 0;
        for (let k = t - window + 1; k <= t; k++) s += data[k * cols + c]!;
        mu = s / window;
        q = 0;
        for (let k = t - window + 1; k <= t; k++) {
          const e = data[k * cols + c]! - mu;
          q += e * e;
        }
        sinceExact = 0;
      } else {
        const old = data[i - window * cols]!;
        const next = mu + (v - old) / window;
        q += (v - old) * (v - next + old - mu);
        mu = next;
        sinceExact++;
      }
      if (run >= window) {
        mu = v;
        q = 0;
      } else if (q < 0) q = 0;
      mean.data[i] = mu;
      m2.data[i] = q;
    }
  }
  return { mean, m2 };
}

export function rollingStdCpu(x: Matrix, { window }: WindowParams): Matrix {
  checkWindow(NAME, window);
  const { m2 } = rollingMomentsCpu(x, window);
  const out = m2.data; // reused in place: m2 is ours
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]! / window);
  return m2;
}

// ---------------------------------------------------------------------------------------------------------------
// tfjs

/**
 * Runs `compute` on row chunks of x: each chunk tensor is [outRows + window - 1, cols] (the look-back included)
 * and `compute` returns `outputs` tensors [outRows, cols] for the rows with a full window. Rows before the first
 * full window stay NaN. At most `rowsPerChunk` output rows per chunk.
 */
export async function tfjsByChunks(
  tf: Tf,
  x: Matrix,
  window: number,
  rowsPerChunk: number,
  outputs: number,
  compute: (chunk: tfjs.Tensor2D, outRows: number) => tfjs.Tensor[],
): Promise<Matrix[]> {
  const outs = Array.from({ length: outputs }, () => nanMatrix(x.rows, x.cols));
  if (x.rows < window || x.cols === 0) return outs;
  const halo = window - 1;
  for (const chunk of chunkRows(x, halo, (Math.max(1, rowsPerChunk) + halo) * x.cols)) {
    const first = Math.max(chunk.firstRow, halo); // first local row with a full window
    const outRows = chunk.rows - first;
    if (outRows <= 0) continue;
    const values = chunk.data.slice((first - halo) * x.cols);
    const results = tf.tidy(() => compute(tf.tensor2d(values, [outRows + halo, x.cols]), outRows));
    const at = (chunk.outStart - chunk.firstRow + first) * x.cols;
    for (let k = 0; k < outputs; k++) {
      fromFloat32((await results[k]!.data()) as Float32Array, outs[k]!.data, at);
    }
    for (const r of results) r.dispose();
  }
  return outs;
}

export interface TfjsMoments {
  /** x at the window's last row (the shift) */
  readonly last: tfjs.Tensor2D;
  /** mean of (x - last) over the window */
  readonly meanShift: tfjs.Tensor2D;
  /** sum over the window of (x - last - meanShift)^2 */
  readonly m2: tfjs.Tensor2D;
  /** the window holds a NaN */
  readonly missing: tfjs.Tensor2D;
}

/**
 * Two-pass moments of every full window of a chunk: the windows are gathered into [window, outRows, cols] and
 * shifted by the last value, so float32 never subtracts squares of price levels and a constant window gives 0.
 * NaNs are masked explicitly (backends differ on NaN inside reductions). Call inside tf.tidy.
 */
export function tfjsMoments(tf: Tf, chunk: tfjs.Tensor2D, outRows: number, window: number): TfjsMoments {
  const cols = chunk.shape[1];
  const index = new Int32Array(window * outRows);
  for (let k = 0; k < window; k++) for (let j = 0; j < outRows; j++) index[k * outRows + j] = k + j;
  const windows = tf.gather(chunk, tf.tensor1d(index, 'int32')).reshape([window, outRows, cols]);
  const last = chunk.slice([window - 1, 0], [outRows, cols]);
  const shifted = windows.sub(last);
  const nan = tf.isNaN(shifted);
  const clean = tf.where(nan, tf.zerosLike(shifted), shifted);
  const meanShift = clean.mean(0) as tfjs.Tensor2D;
  const m2 = clean.sub(meanShift).square().sum(0) as tfjs.Tensor2D;
  // not tf.any nor cast(bool): tfjs-webgpu then transposes int32 data into a float32 shader that does not
  // compile (logged, not thrown: the result reads as zeros); a float mask made by tf.where reduces correctly
  const missing = tf.where(nan, tf.onesLike(shifted), tf.zerosLike(shifted)).max(0).greater(0) as tfjs.Tensor2D;
  return { last, meanShift, m2, missing };
}

/** Output rows per tfjs chunk so that the stacked windows [window, rows, cols] stay within tfjsChunkElements(). */
export function stackedRowsPerChunk(x: Matrix, window: number): number {
  return Math.max(1, Math.floor(tfjsChunkElements() / (Math.max(1, x.cols) * window)));
}

export function nanWhere(tf: Tf, mask: tfjs.Tensor, value: tfjs.Tensor): tfjs.Tensor {
  return tf.where(mask, tf.fill(value.shape, NaN), value);
}

// ---------------------------------------------------------------------------------------------------------------
// WGSL

/** Per-invocation loop iterations after which the llvmpipe adapter silently stops a shader loop. */
export const WGSL_MAX_LOOP = 65535;

/**
 * Declarations of a windowed shader with `outputs` outputs y0.. and the one-thread-per-cell prologue. The body
 * after it sees i (output index), t (row in the chunk), c (column) and returns early on rows without a full window.
 */
export function wgslWindowShader(outputs: number, helpers: string, body: string): string {
  const ys = Array.from({ length: outputs }, (_, k) => `@group(0) @binding(${k + 1}) var<storage, read_write> y${k}: array<f32>;`);
  const nans = Array.from({ length: outputs }, (_, k) => `y${k}[i] = p.nan;`).join(' ');
  return /* wgsl */ `
${WGSL_NAN}
struct P { rows: u32, cols: u32, window: u32, firstRow: u32, nan: f32 };
@group(0) @binding(0) var<storage, read> x: array<f32>;
${ys.join('\n')}
@group(0) @binding(${outputs + 1}) var<uniform> p: P;
${helpers}
// one thread per output cell (t, c); rows of x start window - 1 rows before the first output row
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  let outRows = p.rows - p.firstRow;
  if (i >= outRows * p.cols) { return; }
  let t = i / p.cols + p.firstRow;
  let c = i % p.cols;
  if (t + 1u < p.window) { ${nans} return; }
${body}
}`;
}

/**
 * Two passes over rows t-window+1..t of column c, shifted by x_t (float32 never cancels price levels and a constant
 * window gives exactly 0): shift = x_t, d = mean of (x - x_t), m2 = sum of (x - x_t - d)^2; ok is false on a NaN.
 * 2 * window - 1 loop iterations per call.
 */
export const WGSL_WINDOW_MOMENTS = /* wgsl */ `
struct Moments { shift: f32, d: f32, m2: f32, ok: bool };
fn windowMoments(t: u32, c: u32) -> Moments {
  var m = Moments(x[t * p.cols + c], 0.0, 0.0, false);
  if (isNan(m.shift)) { return m; }
  var s = 0.0;
  for (var k = 1u; k < p.window; k++) {
    let v = x[(t - k) * p.cols + c];
    if (isNan(v)) { return m; }
    s += v - m.shift;
  }
  m.d = s / f32(p.window);
  var q = 0.0;
  for (var k = 0u; k < p.window; k++) {
    let e = x[(t - k) * p.cols + c] - m.shift - m.d;
    q += e * e;
  }
  m.m2 = q;
  m.ok = true;
  return m;
}`;

/** Runs a windowed shader over row chunks that fit a storage binding (halo of window - 1 rows). */
export async function runWindowShader(gpu: GpuContext, key: string, code: string, x: Matrix, window: number, outputs: number): Promise<Matrix[]> {
  const outs = Array.from({ length: outputs }, () => nanMatrix(x.rows, x.cols));
  if (x.rows === 0 || x.cols === 0) return outs;
  const pipeline = await gpu.pipeline(key, code);
  // every output shares the binding limit with the input: chunk on the input, outputs are never larger
  for (const chunk of chunkRows(x, window - 1, gpu.maxBindingElements)) {
    const n = (chunk.rows - chunk.firstRow) * x.cols;
    const groups = Math.ceil(n / 64);
    const ys = await gpu.run({
      pipeline,
      inputs: [chunk.data],
      outputs: Array.from({ length: outputs }, () => n),
      uniforms: uniforms([['u32', chunk.rows], ['u32', x.cols], ['u32', window], ['u32', chunk.firstRow], ['f32', NaN]]),
      workgroups: [Math.min(groups, 65535), Math.ceil(groups / 65535)],
    });
    ys.forEach((y, k) => fromFloat32(y, outs[k]!.data, chunk.outStart * x.cols));
  }
  return outs;
}

const WGSL = wgslWindowShader(
  1,
  WGSL_WINDOW_MOMENTS,
  /* wgsl */ `
  let m = windowMoments(t, c);
  if (!m.ok) { y0[i] = p.nan; return; }
  y0[i] = sqrt(m.m2 / f32(p.window));`,
);

export const RollingStdKernel: Kernel<Matrix, WindowParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: rollingStdCpu,
  async tfjs(tf, x, { window }) {
    checkWindow(NAME, window);
    const [std] = await tfjsByChunks(tf, x, window, stackedRowsPerChunk(x, window), 1, (chunk, outRows) => {
      const m = tfjsMoments(tf, chunk, outRows, window);
      return [nanWhere(tf, m.missing, m.m2.div(window).sqrt())];
    });
    return std!;
  },
  async webgpu(gpu, x, params) {
    checkWindow(NAME, params.window);
    // two passes of `window` iterations must stay under the adapter's loop limit; longer windows run on the CPU
    if (2 * params.window > WGSL_MAX_LOOP) return rollingStdCpu(x, params);
    const [std] = await runWindowShader(gpu, NAME, WGSL, x, params.window, 1);
    return std!;
  },
});
