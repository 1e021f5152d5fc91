/**
 * RasterizeCharts: candlestick + volume + moving-average images of an OHLCV window per (end, asset), batched.
 *
 * Output: `images` Float32Array [N x height x width x 3] (RGB in [0,1]), N = ends.length x assets.length, ordered
 * for each end, for each asset. Row 0 is the top of the image; bar 0 (the oldest) is on the left. The pixels are
 * row-major, or tiled when params.tiles is given (pixelOrder.ts: the order a patchify net reads, same values).
 *
 * Drawing rules (identical on every path):
 * - Window of image (e, a): rows e - window + 1 .. e of asset a; rows before 0 count as missing.
 * - A bar is drawn when its open, high, low and close are all finite; otherwise its slot stays black.
 * - Areas: volumeRows Hv = floor(height x volumeFraction + 0.5) at the bottom, priceRows Hp = height - Hv on top.
 * - Columns: bar i owns [s, e) = [floor(i x width / window), floor((i + 1) x width / window)); column x belongs to
 *   bar floor(((x + 1) x window - 1) / width). A slot of 3+ columns keeps its last column as a gap, so the body
 *   spans [s, e - gap); the wick and the MA mark sit on the centre column c = s + floor((e - gap - s - 1) / 2).
 *   (With window > width some slots are empty and those bars are not drawn.)
 * - MA(t) = mean of close over rows t - maWindow + 1 .. t (rows before the window included); undefined when any
 *   of them is missing or before row 0.
 * - Price scale: lo = min(low of drawn bars, defined MA values), hi = max(high, MA), over the window.
 *   row(p) = clamp(floor((hi - p) / (hi - lo) x (Hp - 1) + 0.5), 0, Hp - 1), in float64; a flat window
 *   (hi = lo) puts every price on row floor((Hp - 1) / 2).
 * - Candle: wick rows [min, max] of row(high), row(low) on column c; body rows [min, max] of row(open),
 *   row(close) on the body columns; colour `up` when close >= open, else `down`.
 * - Volume: vmax = max finite volume of the drawn bars; a drawn bar with finite volume v >= 0 fills the bottom
 *   clamp(floor(v / vmax x Hv + 0.5), 0, Hv) rows of the volume area on its body columns, colour `volume`.
 * - MA line (drawn last, on top of the candles), with m_i the MA row of bar i: on column x of bar i's slot,
 *   x > c marks row m_i, x < c marks row m_(i-1) (the previous bar's run), x = c marks rows [min, max] of
 *   m_(i-1), m_i (only m_i when m_(i-1) is undefined). Nothing is marked where the MA in question is undefined.
 *
 * Both paths share one geometry pass on the CPU (float64): the scale, the MA and every row above, rounded to
 * integers once. The pixel fill, N x H x W x 3 values (the bulk of the work and of the memory), runs either in
 * TypeScript or as WGSL with one invocation per pixel. Rounding prices to rows on the GPU instead would not be
 * exact: WGSL allows fused multiply-add and 2.5-ulp division, so rows at a rounding boundary could differ; with
 * the shared geometry the two paths agree pixel for pixel, and the test holds them bit-equal.
 */
import { type GpuContext, uniforms } from '../gpu/context.ts';
import { type Kernel, registerKernel } from '../kernel.ts';
import { RasterizeCharts as NAME } from '../names.ts';
import { type PixelOffsets, pixelOffsets } from './pixelOrder.ts';
import {
  type ChartInput,
  type ChartParams,
  type ChartImages,
  type ChartGeometry,
  type Rgb,
  CHART_PALETTE,
  chartGeometry,
  STRIDE,
  NONE,
  drawn,
  slot,
} from './rasterGeometry.ts';
export { CHART_PALETTE, chartGeometry } from './rasterGeometry.ts';
export type { ChartGeometry, ChartImages, ChartInput, ChartParams } from './rasterGeometry.ts';

/** CPU fill: draws each bar's volume, body and wick, then the MA line over them. */
export function fillChartsCpu(geom: ChartGeometry, params: ChartParams, into?: Float32Array): Float32Array {
  const { window, width, height } = params;
  const { bars, count } = geom;
  const size = count * height * width * 3;
  if (into !== undefined && into.length < size) throw new Error(`RasterizeCharts: the output buffer holds ${into.length} values, ${count} images need ${size}`);
  // a reused buffer is cleared (a fresh one costs page faults on first touch, ~4 ms per MB in a VM)
  const images = into !== undefined ? into.subarray(0, size).fill(0) : new Float32Array(size);
  const { up, down, volume, ma } = CHART_PALETTE;
  // pixel (x, y) of image n starts at n * height * width * 3 + rowAt[y] + colAt[x], in either order
  const { rows: rowAt, cols: colAt } = pixelOffsets(width, height, params.tiles);
  // one column's pixels y0..y1 in one colour
  const run = (column: number, y0: number, y1: number, rgb: Rgb) => {
    for (let y = y0; y <= y1; y++) {
      const k = column + rowAt[y]!;
      images[k] = rgb[0];
      images[k + 1] = rgb[1];
      images[k + 2] = rgb[2];
    }
  };
  for (let n = 0; n < count; n++) {
    const base = n * height * width * 3;
    const g = (i: number) => (n * window + i) * STRIDE;
    for (let i = 0; i < window; i++) {
      const s = slot(i, width, window);
      const b = g(i);
      if (s.end === s.start || bars[b]! === NONE) continue;
      const colour = bars[b + 4]! === 1 ? up : down;
      for (let x = s.start; x < s.bodyEnd; x++) {
        const column = base + colAt[x]!;
        run(column, height - bars[b + 6]!, height - 1, volume);
        run(column, bars[b + 2]!, bars[b + 3]!, colour);
      }
      run(base + colAt[s.centre]!, bars[b]!, bars[b + 1]!, colour);
    }
    for (let i = 0; i < window; i++) {
      const s = slot(i, width, window);
      if (s.end === s.start) continue;
      const m = bars[g(i) + 5]!;
      const prev = i > 0 ? bars[g(i - 1) + 5]! : NONE;
      for (let x = s.start; x < s.end; x++) {
        const column = base + colAt[x]!;
        if (x < s.centre) {
          if (prev !== NONE) run(column, prev, prev, ma);
        } else if (x > s.centre) {
          if (m !== NONE) run(column, m, m, ma);
        } else if (m !== NONE) {
          run(column, prev === NONE ? m : Math.min(prev, m), prev === NONE ? m : Math.max(prev, m), ma);
        }
      }
    }
  }
  return images;
}

/** Reference: the geometry pass, then the fill in TypeScript. */
export function rasterizeChartsCpu(input: ChartInput, params: ChartParams): ChartImages {
  const geom = chartGeometry(input, params);
  return { images: fillChartsCpu(geom, params, input.into), count: geom.count, width: params.width, height: params.height };
}

const WGSL = /* wgsl */ `
struct P {
  count: u32, width: u32, height: u32, window: u32, priceRows: u32,
  upR: f32, upG: f32, upB: f32, downR: f32, downG: f32, downB: f32,
  volR: f32, volG: f32, volB: f32, maR: f32, maG: f32, maB: f32,
};
@group(0) @binding(0) var<storage, read> bars: array<f32>;
@group(0) @binding(1) var<storage, read_write> img: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
const NONE = -1;
// one invocation per pixel (n, y, x): finds the bar owning column x and tests the pixel against its rows
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * 65535u * 64u;
  let pixels = p.width * p.height;
  if (i >= p.count * pixels) { return; }
  let n = i / pixels;
  let y = i32((i % pixels) / p.width);
  let x = (i % pixels) % p.width;
  let bar = ((x + 1u) * p.window - 1u) / p.width;
  let start = (bar * p.width) / p.window;
  let end = ((bar + 1u) * p.width) / p.window;
  let bodyEnd = select(end, end - 1u, end - start >= 3u);
  let centre = start + (bodyEnd - start - 1u) / 2u;
  let g = (n * p.window + bar) * 8u;
  let drawn = i32(bars[g]) != NONE;
  let inBody = x < bodyEnd;
  var rgb = vec3<f32>(0.0, 0.0, 0.0);
  let candle = select(vec3<f32>(p.downR, p.downG, p.downB), vec3<f32>(p.upR, p.upG, p.upB), bars[g + 4u] == 1.0);
  if (y >= i32(p.priceRows)) {
    if (drawn && inBody && i32(p.height) - 1 - y < i32(bars[g + 6u])) { rgb = vec3<f32>(p.volR, p.volG, p.volB); }
  } else {
    if (drawn && ((inBody && y >= i32(bars[g + 2u]) && y <= i32(bars[g + 3u])) ||
                  (x == centre && y >= i32(bars[g]) && y <= i32(bars[g + 1u])))) { rgb = candle; }
    let m = i32(bars[g + 5u]);
    var prev = NONE;
    if (bar > 0u) { prev = i32(bars[g - 8u + 5u]); }
    var onMa = false;
    if (x < centre) {
      onMa = prev != NONE && y == prev;
    } else if (x > centre) {
      onMa = m != NONE && y == m;
    } else if (m != NONE) {
      let other = select(prev, m, prev == NONE);
      onMa = y >= min(other, m) && y <= max(other, m);
    }
    if (onMa) { rgb = vec3<f32>(p.maR, p.maG, p.maB); }
  }
  let k = i * 3u;
  img[k] = rgb.x;
  img[k + 1u] = rgb.y;
  img[k + 2u] = rgb.z;
}`;

export interface WebgpuChartOptions {
  /** images per dispatch; default: as many as one storage binding holds (tests lower it to exercise chunking) */
  readonly maxImagesPerDispatch?: number;
}

/**
 * The geometry pass on the CPU, then the pixel fill in WGSL, chunked over images to fit a storage binding. The shader
 * writes row-major pixels; a tiled order (params.tiles) is applied when each chunk comes back.
 */
export async function rasterizeChartsWebgpu(gpu: GpuContext, input: ChartInput, params: ChartParams, opts: WebgpuChartOptions = {}): Promise<ChartImages> {
  const { width, height, window } = params;
  const geom = chartGeometry(input, params);
  const perImage = width * height * 3;
  const fit = Math.floor(gpu.maxBindingElements / Math.max(perImage, window * STRIDE));
  if (fit < 1) throw new Error(`RasterizeCharts: one ${width}x${height} image does not fit a storage binding`);
  const chunk = Math.max(1, Math.min(fit, opts.maxImagesPerDispatch ?? fit));
  const pipeline = await gpu.pipeline(NAME, WGSL);
  const images = new Float32Array(geom.count * perImage);
  const { up, down, volume, ma } = CHART_PALETTE;
  const colours = [...up, ...down, ...volume, ...ma].map((c) => ['f32', c] as const);
  for (let first = 0; first < geom.count; first += chunk) {
    const count = Math.min(chunk, geom.count - first);
    const groups = Math.ceil((count * width * height) / 64);
    const [out] = await gpu.run({
      pipeline,
      inputs: [geom.bars.subarray(first * window * STRIDE, (first + count) * window * STRIDE)],
      outputs: [count * perImage],
      uniforms: uniforms([['u32', count], ['u32', width], ['u32', height], ['u32', window], ['u32', geom.priceRows], ...colours]),
      workgroups: [Math.min(groups, 65535), Math.ceil(groups / 65535)],
    });
    if (params.tiles === undefined) images.set(out!, first * perImage);
    else scatterPixels(out!, count, width, height, pixelOffsets(width, height, params.tiles), images, first * perImage);
  }
  return { images, count: geom.count, width, height };
}

/** Row-major RGB images [count x height x width x 3] -> the same pixels at their places in `to`, from `offset`. */
function scatterPixels(from: Float32Array, count: number, width: number, height: number, at: PixelOffsets, to: Float32Array, offset: number): void {
  for (let n = 0; n < count; n++) {
    const base = n * width * height * 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const src = base + (y * width + x) * 3;
        const dst = offset + base + at.rows[y]! + at.cols[x]!;
        to[dst] = from[src]!;
        to[dst + 1] = from[src + 1]!;
        to[dst + 2] = from[src + 2]!;
      }
    }
  }
}

export const RasterizeChartsKernel: Kernel<ChartInput, ChartParams, ChartImages> = registerKernel({
  name: NAME,
  size: (input, p) => input.ends.length * (input.assets?.length ?? input.open.cols) * p.width * p.height,
  cpu: rasterizeChartsCpu,
  webgpu: (gpu, input, params) => rasterizeChartsWebgpu(gpu, input, params),
});
