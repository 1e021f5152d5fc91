import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, matrix } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { CHART_PALETTE, type ChartInput, type ChartParams, RasterizeChartsKernel, rasterizeChartsCpu, rasterizeChartsWebgpu } from './rasterize.ts';
import { pixelOrder } from './pixelOrder.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

/** One column of OHLCV from rows of [open, high, low, close, volume]. */
function ohlcv(rows: readonly (readonly number[])[]): ChartInput {
  const col = (k: number) => matrix(rows.length, 1, Float64Array.from(rows, (r) => r[k]!));
  return { open: col(0), high: col(1), low: col(2), close: col(3), volume: col(4), ends: [rows.length - 1] };
}

function pixel(images: Float32Array, width: number, height: number, n: number, x: number, y: number): number[] {
  const k = ((n * height + y) * width + x) * 3;
  return Array.from(images.subarray(k, k + 3));
}

const BLACK = [0, 0, 0];
const [UP, DOWN, VOLUME, MA] = [CHART_PALETTE.up, CHART_PALETTE.down, CHART_PALETTE.volume, CHART_PALETTE.ma].map((c) => [...c]);

/**
 * Three bars after one look-back bar: slots of 2 columns (centre = left column), price rows 0..7, volume rows 8..9.
 * Scale lo 7, hi 13: row(p) = floor((13 - p) / 6 x 7 + 0.5). MA(2) rows: 10.5 -> 3, 11.5 -> 2, 10 -> 4.
 */
const HAND = [
  [10, 11, 9, 10, 1], // before the window: only its close counts (in the first MA)
  [10, 12, 8, 11, 2], // up: wick rows 1..6 on col 0, body rows 2..4 on cols 0-1, volume 1 row
  [11, 13, 10, 12, 4], // up: wick rows 0..4 on col 2, body rows 1..2, volume 2 rows
  [12, 12, 7, 8, 1], // down: wick rows 1..7 on col 4, body rows 1..6 on cols 4-5, volume 1 row
];
const HAND_PARAMS: ChartParams = { window: 3, width: 6, height: 10, maWindow: 2, volumeFraction: 0.2 };

describe('RasterizeCharts', () => {
  it('reference: wick, body, volume, MA and background pixels of a hand-made 3-bar window', () => {
    const { images, count } = rasterizeChartsCpu(ohlcv(HAND), HAND_PARAMS);
    expect(count).toBe(1);
    expect(images.length).toBe(6 * 10 * 3);
    const px = (x: number, y: number) => pixel(images, 6, 10, 0, x, y);
    expect(px(0, 5)).toEqual(UP); // wick of bar 0 below its body
    expect(px(1, 5)).toEqual(BLACK); // the wick is one column wide
    expect(px(2, 0)).toEqual(UP); // top of bar 1's wick (the window's high)
    expect(px(1, 2)).toEqual(UP); // body of bar 0 (close > open)
    expect(px(5, 5)).toEqual(DOWN); // body of bar 2 (close < open)
    expect(px(4, 7)).toEqual(DOWN); // bottom of bar 2's wick (the window's low)
    expect(px(0, 9)).toEqual(VOLUME); // volume 2 of max 4: 1 of 2 rows
    expect(px(0, 8)).toEqual(BLACK);
    expect(px(2, 8)).toEqual(VOLUME); // the max volume fills the volume area
    expect(px(3, 6)).toEqual(BLACK);
    expect(px(1, 0)).toEqual(BLACK);
    // MA: point at (0,3), run (1,3), step rows 2..3 on col 2, run (3,2), step rows 2..4 on col 4, run (5,4)
    const maPixels = [[0, 3], [1, 3], [2, 2], [2, 3], [3, 2], [4, 2], [4, 3], [4, 4], [5, 4]];
    for (const [x, y] of maPixels) expect(px(x!, y!), `MA at ${x},${y}`).toEqual(MA);
    let maCount = 0;
    for (let i = 0; i < images.length; i += 3) if (images[i + 2] === 1) maCount++;
    expect(maCount).toBe(maPixels.length);
  });

  it('reference: a missing bar (and the MA that needs its close) is left blank', () => {
    const rows = HAND.map((r) => [...r]);
    rows[2] = [NaN, NaN, NaN, NaN, NaN];
    const { images } = rasterizeChartsCpu(ohlcv(rows), HAND_PARAMS);
    for (let y = 0; y < 10; y++) {
      for (const x of [2, 3]) expect(pixel(images, 6, 10, 0, x, y)).toEqual(BLACK);
    }
    expect(pixel(images, 6, 10, 0, 0, 9)).toEqual(VOLUME); // max volume now 2: bar 0 fills both rows
    expect(pixel(images, 6, 10, 0, 0, 8)).toEqual(VOLUME);
  });

  it('reference: bars before row 0 are missing', () => {
    const { images } = rasterizeChartsCpu({ ...ohlcv(HAND), ends: [1] }, HAND_PARAMS);
    // window rows -1, 0, 1: bar 0 (row -1) blank; the MA starts at row 1 (row 0's look-back reaches row -1)
    for (let y = 0; y < 10; y++) for (let x = 0; x < 2; x++) expect(pixel(images, 6, 10, 0, x, y)).toEqual(BLACK);
    expect(pixel(images, 6, 10, 0, 2, 9)).toEqual(VOLUME);
    expect(pixel(images, 6, 10, 0, 4, 8)).toEqual(VOLUME); // row 1 holds the max volume (2)
    let maCount = 0;
    for (let i = 0; i < images.length; i += 3) if (images[i + 2] === 1) maCount++;
    expect(maCount).toBe(2); // a point on bar 2's centre column and its run on the next column
  });

  it('reference: multiplying prices by 10 gives the same image', () => {
    const scaled = HAND.map(([o, h, l, c, v]) => [o! * 10, h! * 10, l! * 10, c! * 10, v!]);
    expect(rasterizeChartsCpu(ohlcv(scaled), HAND_PARAMS).images).toEqual(rasterizeChartsCpu(ohlcv(HAND), HAND_PARAMS).images);
    const input = walk(300, 3, 7);
    const times10 = { ...input, ...Object.fromEntries((['open', 'high', 'low', 'close'] as const).map((k) => [k, scale(input[k], 10)])) };
    const params: ChartParams = { window: 64, width: 64, height: 64, maWindow: 20, volumeFraction: 0.25 };
    expect(mismatchedPixels(rasterizeChartsCpu(times10, params).images, rasterizeChartsCpu(input, params).images)).toBe(0);
  });

  it('reference: an image in a batch equals the same image alone', () => {
    const input = walk(200, 4, 3);
    const params: ChartParams = { window: 32, width: 48, height: 40, maWindow: 10, volumeFraction: 0.25 };
    const batch = rasterizeChartsCpu(input, params);
    expect(batch.count).toBe(input.ends.length * 4);
    const alone = rasterizeChartsCpu({ ...input, ends: [input.ends[2]!], assets: [1] }, params);
    const per = 48 * 40 * 3;
    expect(batch.images.subarray((2 * 4 + 1) * per, (2 * 4 + 2) * per)).toEqual(alone.images);
  });

  it('reference: drawing into a used buffer gives the fresh images and leaves the values after them alone', () => {
    const input = walk(200, 4, 3);
    const params: ChartParams = { window: 32, width: 48, height: 40, maWindow: 10, volumeFraction: 0.25 };
    const fresh = rasterizeChartsCpu(input, params).images;
    const into = new Float32Array(fresh.length + 5).fill(0.5);
    const drawn = rasterizeChartsCpu({ ...input, into }, params).images;
    expect(drawn.buffer).toBe(into.buffer);
    expect(drawn).toEqual(fresh);
    expect(Array.from(into.subarray(fresh.length))).toEqual([0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(() => rasterizeChartsCpu({ ...input, into: new Float32Array(fresh.length - 1) }, params)).toThrow(/output buffer holds/);
  });

  it('reference: tiled pixel order: the row-major images with each pixel moved to its place, nothing else changed', () => {
    const input = walk(200, 3, 5);
    const params: ChartParams = { window: 64, width: 64, height: 64, maWindow: 20, volumeFraction: 0.2 };
    const rows = rasterizeChartsCpu(input, params).images;
    const tiles = [4, 2, 2];
    const tiled = rasterizeChartsCpu(input, { ...params, tiles }).images;
    const order = pixelOrder(64, 64, tiles);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 * 64 }, (_, i) => i));
    // pixel (y, x) = (21, 38): 16-px block (1, 2) of the 4 x 4 grid; inside it, 8-px quarter (0, 0), 4-px tile (1, 1)
    // and pixel (1, 2); each level's index row-major within its parent
    expect(order[21 * 64 + 38]).toBe((((1 * 4 + 2) * 4 + 0) * 4 + 1 * 2 + 1) * 16 + 1 * 4 + 2);
    const per = 64 * 64 * 3;
    for (let n = 0; n < tiled.length / per; n++) {
      for (let p = 0; p < 64 * 64; p++) {
        for (let c = 0; c < 3; c++) {
          if (tiled[n * per + order[p]! * 3 + c] !== rows[n * per + p * 3 + c]) throw new Error(`image ${n}, pixel ${p}, channel ${c} moved wrong`);
        }
      }
    }
    expect(() => rasterizeChartsCpu(input, { ...params, tiles: [4, 2, 3] })).toThrow(/tiles \[4, 2, 3\] make 24-pixel blocks, which do not tile a 64 x 64 image/);
    expect(() => rasterizeChartsCpu(input, { ...params, tiles: [0] })).toThrow(/whole numbers >= 1/);
  });

  it('rejects inconsistent inputs with the reason', () => {
    expect(() => rasterizeChartsCpu({ ...ohlcv(HAND), ends: [4] }, HAND_PARAMS)).toThrow(/end row 4 outside/);
    expect(() => rasterizeChartsCpu({ ...ohlcv(HAND), assets: [1] }, HAND_PARAMS)).toThrow(/asset 1 outside/);
    expect(() => rasterizeChartsCpu(ohlcv(HAND), { ...HAND_PARAMS, volumeFraction: 0.9 })).toThrow(/price area/);
  });

  // geometries: 1-column slots, 2-3 column slots with gaps, and more bars than columns (empty slots)
  const cases: readonly ChartParams[] = [
    { window: 64, width: 64, height: 64, maWindow: 20, volumeFraction: 0.25 },
    { window: 40, width: 100, height: 50, maWindow: 10, volumeFraction: 0.3 },
    { window: 64, width: 48, height: 32, maWindow: 5, volumeFraction: 0 },
  ];
  const input = walk(400, 5, 11);
  const webgpu = backends.find((b) => b.name === 'webgpu')!;
  for (const params of cases) {
    const label = `${params.window} bars in ${params.width}x${params.height}`;
    it.skipIf(!webgpu.runtime)(`webgpu equals the reference pixel for pixel (${label})${webgpu.skipReason ? ` [${webgpu.skipReason}]` : ''}`, async () => {
      const expected = rasterizeChartsCpu(input, params);
      const got = await runKernel(webgpu.runtime!, RasterizeChartsKernel, input, params, 'webgpu');
      expect(got.count).toBe(expected.count);
      expect(mismatchedPixels(got.images, expected.images)).toBe(0);
    });
  }
  it.skipIf(!webgpu.runtime)(`webgpu chunked over images equals the reference${webgpu.skipReason ? ` [${webgpu.skipReason}]` : ''}`, async () => {
    const params = cases[0]!;
    const expected = rasterizeChartsCpu(input, params);
    const got = await rasterizeChartsWebgpu(webgpu.runtime!.gpu!, input, params, { maxImagesPerDispatch: 7 });
    expect(mismatchedPixels(got.images, expected.images)).toBe(0);
    // a tiled order, chunked: each chunk's pixels moved to their places
    const tiled = { ...params, tiles: [4, 2, 2] };
    const tiledGot = await rasterizeChartsWebgpu(webgpu.runtime!.gpu!, input, tiled, { maxImagesPerDispatch: 7 });
    expect(mismatchedPixels(tiledGot.images, rasterizeChartsCpu(input, tiled).images)).toBe(0);
  });
});

/** OHLCV around a random walk of closes (with holes): open = previous close, wicks beyond both, random volume. */
function walk(rows: number, cols: number, seed: number): ChartInput & { ends: number[] } {
  const close = randomWalk(rows, cols, seed, { holes: true });
  const rng = new Rng(seed + 1);
  const open = matrix(rows, cols);
  const high = matrix(rows, cols);
  const low = matrix(rows, cols);
  const volume = matrix(rows, cols);
  for (let t = 0; t < rows; t++) {
    for (let a = 0; a < cols; a++) {
      const j = t * cols + a;
      const c = close.data[j]!;
      const prev = t > 0 ? close.data[j - cols]! : NaN;
      const o = Number.isFinite(prev) ? prev : c * Math.exp(0.005 * rng.normal());
      open.data[j] = o;
      high.data[j] = Math.max(o, c) * (1 + 0.004 * Math.abs(rng.normal()));
      low.data[j] = Math.min(o, c) * (1 - 0.004 * Math.abs(rng.normal()));
      volume.data[j] = Number.isFinite(c) ? 1000 * Math.exp(0.5 * rng.normal()) : NaN;
    }
  }
  const ends: number[] = [];
  for (let e = 10; e < rows; e += 37) ends.push(e); // the first windows reach before row 0 and into the holes
  return { open, high, low, close, volume, ends };
}

function scale(m: Matrix, k: number): Matrix {
  return matrix(m.rows, m.cols, m.data.map((v) => v * k));
}

function mismatchedPixels(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}
