/**
 * RasterizeCharts: candlestick + volume + moving-average images of an OHLCV window per (end, asset), batched.
 *
 * Output: `images` Float32Array [N x height x width x 3] (RGB in [0,1]), N = ends.length x assets.length, ordered
 * for each end, for each asset. Row 0 is the top of the image; bar 0 (the oldest) is on the left.
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
import type { Matrix } from '../matrix.ts';
import { RasterizeCharts as NAME } from '../names.ts';

export interface ChartInput {
  readonly open: Matrix;
  readonly high: Matrix;
  readonly low: Matrix;
  readonly close: Matrix;
  readonly volume: Matrix;
  /** last row (inclusive) of each image's window */
  readonly ends: Int32Array | readonly number[];
  /** asset columns to draw; default all */
  readonly assets?: readonly number[];
}

export interface ChartParams {
  /** bars per image */
  readonly window: number;
  readonly width: number;
  readonly height: number;
  /** bars in the moving average */
  readonly maWindow: number;
  /** bottom share of the image for the volume bars, in [0, 1) */
  readonly volumeFraction: number;
}

export interface ChartImages {
  /** [count x height x width x 3], RGB in [0, 1] */
  readonly images: Float32Array;
  readonly count: number;
  readonly width: number;
  readonly height: number;
}

type Rgb = readonly [number, number, number];

/** The colours (background is black). Float32 values, so the CPU path writes exactly what the shader writes. */
export const CHART_PALETTE: { readonly up: Rgb; readonly down: Rgb; readonly volume: Rgb; readonly ma: Rgb } = {
  up: [0, 1, 0],
  down: [1, 0, 0],
  volume: [0.5, 0.5, 0.5],
  ma: [Math.fround(0.2), Math.fround(0.4), 1],
};

/** Floats per bar in the geometry: wickTop, wickBottom, bodyTop, bodyBottom, up (1/0), maRow, volumeRows, unused. */
const STRIDE = 8;
const NONE = -1;

/** Integer layout of a batch: per image, per bar, the rows of everything drawn (NONE where nothing is). */
export interface ChartGeometry {
  readonly count: number;
  readonly priceRows: number;
  /** [count x window x STRIDE] */
  readonly bars: Float32Array;
}

function checkParams(input: ChartInput, p: ChartParams): readonly number[] {
  const { open, high, low, close, volume } = input;
  for (const [k, m] of Object.entries({ high, low, close, volume })) {
    if (m.rows !== open.rows || m.cols !== open.cols) {
      throw new Error(`RasterizeCharts: ${k} is ${m.rows}x${m.cols}, open is ${open.rows}x${open.cols}`);
    }
  }
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!int(p.window, 1) || !int(p.width, 1) || !int(p.height, 1) || !int(p.maWindow, 1)) {
    throw new Error(`RasterizeCharts: window, width, height, maWindow must be positive integers (got ${p.window}, ${p.width}, ${p.height}, ${p.maWindow})`);
  }
  if (!(p.volumeFraction >= 0 && p.volumeFraction < 1)) throw new Error(`RasterizeCharts: volumeFraction must be in [0, 1), got ${p.volumeFraction}`);
  if (p.height - volumeRows(p) < 2) throw new Error(`RasterizeCharts: the price area needs 2+ rows (height ${p.height}, volumeFraction ${p.volumeFraction})`);
  const assets = input.assets ?? Array.from({ length: open.cols }, (_, a) => a);
  for (const a of assets) if (!int(a, 0) || a >= open.cols) throw new Error(`RasterizeCharts: asset ${a} outside [0, ${open.cols})`);
  for (const e of input.ends) if (!int(e, 0) || e >= open.rows) throw new Error(`RasterizeCharts: end row ${e} outside [0, ${open.rows})`);
  return assets;
}

function volumeRows(p: ChartParams): number {
  return Math.floor(p.height * p.volumeFraction + 0.5);
}

/** The shared geometry pass (float64): scale, MA and volume per image, rounded to integer rows. */
export function chartGeometry(input: ChartInput, params: ChartParams): ChartGeometry {
  const assets = checkParams(input, params);
  const { window, maWindow } = params;
  const A = input.open.cols;
  const o = input.open.data;
  const h = input.high.data;
  const l = input.low.data;
  const c = input.close.data;
  const v = input.volume.data;
  const Hv = volumeRows(params);
  const Hp = params.height - Hv;
  const count = input.ends.length * assets.length;
  const bars = new Float32Array(count * window * STRIDE);
  const ma = new Float64Array(window);
  let n = 0;
  for (const end of input.ends) {
    const first = end - window + 1;
    for (const a of assets) {
      // MA by a running sum over rows first - maWindow + 1 .. end, counting the missing closes in the window
      let sum = 0;
      let missing = 0;
      for (let t = first - maWindow + 1; t <= end; t++) {
        const x = t >= 0 ? c[t * A + a]! : NaN;
        if (Number.isFinite(x)) sum += x;
        else missing++;
        const old = t - maWindow;
        if (old >= first - maWindow + 1) {
          const y = old >= 0 ? c[old * A + a]! : NaN;
          if (Number.isFinite(y)) sum -= y;
          else missing--;
        }
        if (t >= first) ma[t - first] = missing === 0 ? sum / maWindow : NaN;
      }
      let lo = Infinity;
      let hi = -Infinity;
      let vmax = 0;
      for (let i = 0; i < window; i++) {
        const t = first + i;
        const j = t * A + a;
        if (t >= 0 && drawn(o[j]!, h[j]!, l[j]!, c[j]!)) {
          lo = Math.min(lo, l[j]!);
          hi = Math.max(hi, h[j]!);
          const vol = v[j]!;
          if (Number.isFinite(vol) && vol > vmax) vmax = vol;
        }
        const m = ma[i]!;
        if (m === m) {
          lo = Math.min(lo, m);
          hi = Math.max(hi, m);
        }
      }
      const span = hi - lo;
      const flat = !(span > 0) || !Number.isFinite(span);
      const row = (p: number) =>
        flat ? Math.floor((Hp - 1) / 2) : Math.min(Hp - 1, Math.max(0, Math.floor(((hi - p) / span) * (Hp - 1) + 0.5)));
      for (let i = 0; i < window; i++) {
        const t = first + i;
        const j = t * A + a;
        const g = (n * window + i) * STRIDE;
        const m = ma[i]!;
        bars[g + 5] = m === m ? row(m) : NONE;
        if (t < 0 || !drawn(o[j]!, h[j]!, l[j]!, c[j]!)) {
          bars[g] = NONE;
          continue;
        }
        const rh = row(h[j]!);
        const rl = row(l[j]!);
        const ro = row(o[j]!);
        const rc = row(c[j]!);
        bars[g] = Math.min(rh, rl);
        bars[g + 1] = Math.max(rh, rl);
        bars[g + 2] = Math.min(ro, rc);
        bars[g + 3] = Math.max(ro, rc);
        bars[g + 4] = c[j]! >= o[j]! ? 1 : 0;
        const vol = v[j]!;
        bars[g + 6] = Number.isFinite(vol) && vol >= 0 && vmax > 0 ? Math.min(Hv, Math.max(0, Math.floor((vol / vmax) * Hv + 0.5))) : 0;
      }
      n++;
    }
  }
  return { count, priceRows: Hp, bars };
}

function drawn(o: number, h: number, l: number, c: number): boolean {
  return Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c);
}

/** Column layout of bar i: slot [start, end), body [start, bodyEnd), centre column. */
function slot(i: number, width: number, window: number): { start: number; end: number; bodyEnd: number; centre: number } {
  const start = Math.floor((i * width) / window);
  const end = Math.floor(((i + 1) * width) / window);
  const bodyEnd = end - (end - start >= 3 ? 1 : 0);
  return { start, end, bodyEnd, centre: start + Math.floor((bodyEnd - start - 1) / 2) };
}

/** CPU fill: draws each bar's volume, body and wick, then the MA line over them. */
export function fillChartsCpu(geom: ChartGeometry, params: ChartParams): Float32Array {
  const { window, width, height } = params;
  const { bars, count, priceRows } = geom;
  const images = new Float32Array(count * height * width * 3);
  const { up, down, volume, ma } = CHART_PALETTE;
  for (let n = 0; n < count; n++) {
    const base = n * height * width * 3;
    const put = (x: number, y: number, rgb: Rgb) => {
      const k = base + (y * width + x) * 3;
      images[k] = rgb[0];
      images[k + 1] = rgb[1];
      images[k + 2] = rgb[2];
    };
    const g = (i: number) => (n * window + i) * STRIDE;
    for (let i = 0; i < window; i++) {
      const s = slot(i, width, window);
      const b = g(i);
      if (s.end === s.start || bars[b]! === NONE) continue;
      const colour = bars[b + 4]! === 1 ? up : down;
      for (let x = s.start; x < s.bodyEnd; x++) {
        for (let k = 0; k < bars[b + 6]!; k++) put(x, height - 1 - k, volume);
        for (let y = bars[b + 2]!; y <= bars[b + 3]!; y++) put(x, y, colour);
      }
      for (let y = bars[b]!; y <= bars[b + 1]!; y++) put(s.centre, y, colour);
    }
    for (let i = 0; i < window; i++) {
      const s = slot(i, width, window);
      if (s.end === s.start) continue;
      const m = bars[g(i) + 5]!;
      const prev = i > 0 ? bars[g(i - 1) + 5]! : NONE;
      for (let x = s.start; x < s.end; x++) {
        if (x < s.centre) {
          if (prev !== NONE) put(x, prev, ma);
        } else if (x > s.centre) {
          if (m !== NONE) put(x, m, ma);
        } else if (m !== NONE) {
          const from = prev === NONE ? m : Math.min(prev, m);
          const to = prev === NONE ? m : Math.max(prev, m);
          for (let y = from; y <= to; y++) put(x, y, ma);
        }
      }
    }
  }
  return images;
}

/** Reference: the geometry pass, then the fill in TypeScript. */
export function rasterizeChartsCpu(input: ChartInput, params: ChartParams): ChartImages {
  const geom = chartGeometry(input, params);
  return { images: fillChartsCpu(geom, params), count: geom.count, width: params.width, height: params.height };
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

/** The geometry pass on the CPU, then the pixel fill in WGSL, chunked over images to fit a storage binding. */
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
    images.set(out!, first * perImage);
  }
  return { images, count: geom.count, width, height };
}

export const RasterizeChartsKernel: Kernel<ChartInput, ChartParams, ChartImages> = registerKernel({
  name: NAME,
  size: (input, p) => input.ends.length * (input.assets?.length ?? input.open.cols) * p.width * p.height,
  cpu: rasterizeChartsCpu,
  webgpu: (gpu, input, params) => rasterizeChartsWebgpu(gpu, input, params),
});
