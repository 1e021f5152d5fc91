/** RasterizeCharts geometry: the chart inputs, palette and the shared CPU pass that rounds every price to a row (see rasterize.ts). */
import type { Matrix } from '../matrix.ts';
import { checkTiles } from './pixelOrder.ts';

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
  /** CPU path: draw into this buffer (at least N x height x width x 3; cleared first) instead of a new one */
  readonly into?: Float32Array;
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
  /** pixel order of the output: row-major when absent, else tiled by these sizes, innermost first (pixelOrder.ts) */
  readonly tiles?: readonly number[];
}

export interface ChartImages {
  /** [count x height x width x 3], RGB in [0, 1] (pixels in the params' order) */
  readonly images: Float32Array;
  readonly count: number;
  readonly width: number;
  readonly height: number;
}

export type Rgb = readonly [number, number, number];

/** The colours (background is black). Float32 values, so the CPU path writes exactly what the shader writes. */
export const CHART_PALETTE: { readonly up: Rgb; readonly down: Rgb; readonly volume: Rgb; readonly ma: Rgb } = {
  up: [0, 1, 0],
  down: [1, 0, 0],
  volume: [0.5, 0.5, 0.5],
  ma: [Math.fround(0.2), Math.fround(0.4), 1],
};

/** Floats per bar in the geometry: wickTop, wickBottom, bodyTop, bodyBottom, up (1/0), maRow, volumeRows, unused. */
export const STRIDE = 8;
export const NONE = -1;

/** Integer layout of a batch: per image, per bar, the rows of everything drawn (NONE where nothing is). */
export interface ChartGeometry {
  readonly count: number;
  readonly priceRows: number;
  /** [count x window x STRIDE] */
  readonly bars: Float32Array;
}

export function checkParams(input: ChartInput, p: ChartParams): readonly number[] {
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
  if (p.tiles !== undefined) checkTiles(p.width, p.height, p.tiles);
  if (p.height - volumeRows(p) < 2) throw new Error(`RasterizeCharts: the price area needs 2+ rows (height ${p.height}, volumeFraction ${p.volumeFraction})`);
  const assets = input.assets ?? Array.from({ length: open.cols }, (_, a) => a);
  for (const a of assets) if (!int(a, 0) || a >= open.cols) throw new Error(`RasterizeCharts: asset ${a} outside [0, ${open.cols})`);
  for (const e of input.ends) if (!int(e, 0) || e >= open.rows) throw new Error(`RasterizeCharts: end row ${e} outside [0, ${open.rows})`);
  return assets;
}

export function volumeRows(p: ChartParams): number {
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

export function drawn(o: number, h: number, l: number, c: number): boolean {
  return Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c);
}

/** Column layout of bar i: slot [start, end), body [start, bodyEnd), centre column. */
export function slot(i: number, width: number, window: number): { start: number; end: number; bodyEnd: number; centre: number } {
  const start = Math.floor((i * width) / window);
  const end = Math.floor(((i + 1) * width) / window);
  const bodyEnd = end - (end - start >= 3 ? 1 : 0);
  return { start, end, bodyEnd, centre: start + Math.floor((bodyEnd - start - 1) / 2) };
}
