import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { type ChartInput, rasterizeChartsCpu } from './ops/rasterize.ts';
import { randomWalk } from './ops/testData.ts';
import { matrix } from './matrix.ts';
import { imageToPng, toByte, writeChartPng } from './png.ts';

/** Candles around a random walk of closes: open = previous close, wicks 0.3% beyond, volume from the move. */
function walk(rows: number, cols: number, seed: number): ChartInput {
  const close = randomWalk(rows, cols, seed);
  const m = () => matrix(rows, cols);
  const [open, high, low, volume] = [m(), m(), m(), m()];
  for (let j = 0; j < rows * cols; j++) {
    const c = close.data[j]!;
    const o = j >= cols ? close.data[j - cols]! : c;
    open.data[j] = o;
    high.data[j] = Math.max(o, c) * 1.003;
    low.data[j] = Math.min(o, c) * 0.997;
    volume.data[j] = 100 + 1e4 * Math.abs(c / o - 1);
  }
  return { open, high, low, close, volume, ends: [rows - 1] };
}

describe('chart PNG', () => {
  const params = { window: 64, width: 64, height: 48, maWindow: 20, volumeFraction: 0.25 };
  const charts = rasterizeChartsCpu({ ...walk(300, 2, 5), ends: [150, 299] }, params);

  it('round trip: decoded pixels are the image bytes, at scale 1 and 3', () => {
    for (const scale of [1, 3]) {
      const png = PNG.sync.read(imageToPng(charts.images, 1, 64, 48, scale));
      expect([png.width, png.height]).toEqual([64 * scale, 48 * scale]);
      let mismatches = 0;
      for (let Y = 0; Y < png.height; Y++) {
        for (let X = 0; X < png.width; X++) {
          const src = ((1 * 48 + Math.floor(Y / scale)) * 64 + Math.floor(X / scale)) * 3;
          const dst = (Y * png.width + X) * 4;
          for (let ch = 0; ch < 3; ch++) if (png.data[dst + ch] !== toByte(charts.images[src + ch]!)) mismatches++;
        }
      }
      expect(mismatches).toBe(0);
    }
  });

  it('bytes: clamped to [0,1], rounded half up', () => {
    expect([-1, 0, 0.2, 0.5, 1, 2, NaN].map(toByte)).toEqual([0, 0, 51, 128, 255, 255, 0]);
  });

  it('rejects an index outside the batch', () => {
    expect(() => imageToPng(charts.images, 4, 64, 48)).toThrow(/image 4 .* batch of 4/);
  });

  it('writes a 256x256 sample chart into the temp folder', () => {
    const big = rasterizeChartsCpu({ ...walk(300, 1, 9), ends: [299] }, { ...params, width: 256, height: 256 });
    const path = join(tmpdir(), 'arena-chart-sample', 'rasterize-256.png');
    const bytes = writeChartPng(path, big.images, 0, 256, 256);
    expect(statSync(path).size).toBe(bytes);
    expect(bytes).toBeGreaterThan(500);
    const png = PNG.sync.read(readFileSync(path));
    expect([png.width, png.height]).toEqual([256, 256]);
    // the 64x64 training resolution, enlarged 4x for a person or a VLM
    const small = rasterizeChartsCpu({ ...walk(300, 1, 9), ends: [299] }, { ...params, height: 64 });
    expect(writeChartPng(join(tmpdir(), 'arena-chart-sample', 'rasterize-64x4.png'), small.images, 0, 64, 64, 4)).toBeGreaterThan(500);
  });
});
