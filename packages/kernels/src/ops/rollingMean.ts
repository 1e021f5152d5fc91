/** RollingMean: mean of the last `window` rows of each column; NaN while the window is short or holds a NaN. */
import { WGSL_NAN, uniforms } from '../gpu/context.ts';
import { type Kernel, registerKernel } from '../kernel.ts';
import { type Matrix, nanMatrix } from '../matrix.ts';
import { RollingMean as NAME } from '../names.ts';
import { chunkRows, fromFloat32, tfjsChunkElements } from './util.ts';

export interface WindowParams {
  readonly window: number;
}

/** Reference: one pass per column with a running sum and a running count of NaNs in the window. */
export function rollingMeanCpu(x: Matrix, { window }: WindowParams): Matrix {
  const { rows, cols, data } = x;
  const out = nanMatrix(rows, cols);
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    let nans = 0;
    for (let t = 0; t < rows; t++) {
      const v = data[t * cols + c]!;
      if (v !== v) nans++;
      else sum += v;
      if (t >= window) {
        const old = data[(t - window) * cols + c]!;
        if (old !== old) nans--;
        else sum -= old;
      }
      if (t >= window - 1 && nans === 0) out.data[t * cols + c] = sum / window;
    }
  }
  return out;
}

const WGSL = /* wgsl */ `
${WGSL_NAN}
struct P { rows: u32, cols: u32, window: u32, firstRow: u32, nan: f32 };
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
// one thread per output cell (t, c); rows of x start window - 1 rows before the first output row
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  let outRows = p.rows - p.firstRow;
  if (i >= outRows * p.cols) { return; }
  let t = i / p.cols + p.firstRow;
  let c = i % p.cols;
  if (t + 1u < p.window) { y[i] = p.nan; return; }
  var s = 0.0;
  for (var k = 0u; k < p.window; k++) {
    let v = x[(t - k) * p.cols + c];
    if (isNan(v)) { y[i] = p.nan; return; }
    s += v;
  }
  y[i] = s / f32(p.window);
}`;

export const RollingMeanKernel: Kernel<Matrix, WindowParams, Matrix> = registerKernel({
  name: NAME,
  size: (x) => x.rows * x.cols,
  cpu: rollingMeanCpu,
  // avgPool over [1, rows, cols, 1] with a [window, 1] filter (float32, O(window) per cell). Backends differ on
  // NaN inside pooling (wasm drops it), so NaNs are pooled apart as a mask and put back explicitly.
  async tfjs(tf, x, { window }) {
    const out = nanMatrix(x.rows, x.cols);
    if (x.rows < window) return out;
    for (const chunk of chunkRows(x, window - 1, tfjsChunkElements())) {
      if (chunk.rows < window) continue;
      const pooled = tf.tidy(() => {
        const raw = tf.tensor4d(chunk.data, [1, chunk.rows, x.cols, 1]);
        const missing = tf.isNaN(raw);
        const mean = tf.avgPool(tf.where(missing, tf.zerosLike(raw), raw), [window, 1], 1, 'valid');
        const anyMissing = tf.avgPool(tf.cast(missing, 'float32'), [window, 1], 1, 'valid').greater(0);
        return tf.where(anyMissing, tf.fill(mean.shape, NaN), mean);
      });
      const values = (await pooled.data()) as Float32Array;
      pooled.dispose();
      // pooled row k is chunk row k + window - 1 (the halo makes that the chunk's first output row)
      fromFloat32(values, out.data, (chunk.outStart - chunk.firstRow + window - 1) * x.cols);
    }
    return out;
  },
  async webgpu(gpu, x, { window }) {
    const pipeline = await gpu.pipeline(NAME, WGSL);
    const out = nanMatrix(x.rows, x.cols);
    for (const chunk of chunkRows(x, window - 1, gpu.maxBindingElements)) {
      const n = (chunk.rows - chunk.firstRow) * x.cols;
      const groups = Math.ceil(n / 64);
      const [y] = await gpu.run({
        pipeline,
        inputs: [chunk.data],
        outputs: [n],
        uniforms: uniforms([['u32', chunk.rows], ['u32', x.cols], ['u32', window], ['u32', chunk.firstRow], ['f32', NaN]]),
        workgroups: [Math.min(groups, 65535), Math.ceil(groups / 65535)],
      });
      fromFloat32(y!, out.data, chunk.outStart * x.cols);
    }
    return out;
  },
});
