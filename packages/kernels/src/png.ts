/** PNG encoding of rasterised chart images ([N x height x width x 3] floats in [0,1]), for the audit trail and the VLM. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

/** A channel value in [0,1] as a byte: clamped, round half up (NaN becomes 0). */
export function toByte(v: number): number {
  return v > 0 ? Math.min(255, Math.floor(v * 255 + 0.5)) : 0;
}

/**
 * Image `index` of a batch as an RGB PNG. `scale` enlarges it by pixel repetition (nearest neighbour), so small
 * training images stay legible to a person or a vision-language model without blurring the candles.
 */
export function imageToPng(images: Float32Array, index: number, width: number, height: number, scale = 1): Buffer {
  const perImage = width * height * 3;
  if (!Number.isInteger(index) || index < 0 || (index + 1) * perImage > images.length) {
    throw new Error(`imageToPng: image ${index} of ${width}x${height} outside a batch of ${Math.floor(images.length / perImage)}`);
  }
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`imageToPng: scale must be a positive integer, got ${scale}`);
  const W = width * scale;
  const H = height * scale;
  const png = new PNG({ width: W, height: H, colorType: 2 });
  const base = index * perImage;
  for (let Y = 0; Y < H; Y++) {
    const y = Math.floor(Y / scale);
    for (let X = 0; X < W; X++) {
      const src = base + (y * width + Math.floor(X / scale)) * 3;
      const dst = (Y * W + X) * 4;
      png.data[dst] = toByte(images[src]!);
      png.data[dst + 1] = toByte(images[src + 1]!);
      png.data[dst + 2] = toByte(images[src + 2]!);
      png.data[dst + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: 2, inputColorType: 6 });
}

/** Writes image `index` as a PNG file (creating its folder); returns the bytes written. */
export function writeChartPng(path: string, images: Float32Array, index: number, width: number, height: number, scale = 1): number {
  const bytes = imageToPng(images, index, width, height, scale);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return bytes.length;
}
