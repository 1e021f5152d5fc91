/**
 * Pixel orders of a rendered image. Row-major (y, x) is what a PNG, a report and a VLM are shown. The tiled order
 * is what a stack of patchify layers reads: with tiles [p1, p2, ...] (innermost first) each p1 x p1 tile's pixels are
 * contiguous (row-major inside), the tiles are grouped p2 x p2 the same way, and so on, the outermost grid of
 * blocks row-major. A net whose k-th stage is a p_k x p_k patchify then needs only reshapes, no transposes, to
 * gather its patches (router/model.ts, routerInference).
 */

const cache = new Map<string, Int32Array>();
const offsetCache = new Map<string, PixelOffsets>();

/**
 * The order as a sum: pixel (y, x) sits at rows[y] + cols[x] (both orders are separable this way), times 3 for
 * RGB values, so a column of pixels is one base plus a row table.
 */
export interface PixelOffsets {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
}

/** Sizes that tile a width x height image: whole numbers >= 1 whose product divides both sides. */
export function checkTiles(width: number, height: number, tiles: readonly number[]): void {
  let block = 1;
  for (const p of tiles) {
    if (!(Number.isInteger(p) && p >= 1)) throw new Error(`pixel order: tile sizes must be whole numbers >= 1, got [${tiles.join(', ')}]`);
    block *= p;
  }
  if (width % block !== 0 || height % block !== 0) {
    throw new Error(`pixel order: tiles [${tiles.join(', ')}] make ${block}-pixel blocks, which do not tile a ${width} x ${height} image`);
  }
}

/**
 * For each pixel in row-major order (y * width + x), its place in the tiled order; cached per (width, height,
 * tiles), so callers must not write to it.
 */
export function pixelOrder(width: number, height: number, tiles: readonly number[]): Int32Array {
  const key = `${width}x${height}:${tiles.join(',')}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  checkTiles(width, height, tiles);
  // side of a block at each level: below[l] = p1 x ... x p(l-1)
  const below: number[] = [];
  let block = 1;
  for (const p of tiles) {
    below.push(block);
    block *= p;
  }
  const gridWidth = width / block;
  const order = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let place = Math.floor(y / block) * gridWidth + Math.floor(x / block);
      for (let l = tiles.length - 1; l >= 0; l--) {
        const p = tiles[l]!;
        const b = below[l]!;
        place = place * p * p + (Math.floor(y / b) % p) * p + (Math.floor(x / b) % p);
      }
      order[y * width + x] = place;
    }
  }
  cache.set(key, order);
  return order;
}

/** Value offsets (place x 3) of row y and column x, row-major when tiles is undefined; cached, read-only. */
export function pixelOffsets(width: number, height: number, tiles?: readonly number[]): PixelOffsets {
  const key = `${width}x${height}:${tiles?.join(',') ?? 'rows'}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const rows = new Int32Array(height);
  const cols = new Int32Array(width);
  if (tiles === undefined) {
    for (let y = 0; y < height; y++) rows[y] = y * width * 3;
    for (let x = 0; x < width; x++) cols[x] = x * 3;
  } else {
    // the tiled place of (y, 0) plus that of (0, x): each level's digit of y and of x add separately
    const order = pixelOrder(width, height, tiles);
    for (let y = 0; y < height; y++) rows[y] = order[y * width]! * 3;
    for (let x = 0; x < width; x++) cols[x] = order[x]! * 3;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (rows[y]! + cols[x]! !== order[y * width + x]! * 3) throw new Error(`pixel order: tiles [${tiles.join(', ')}] are not separable at (${y}, ${x})`);
      }
    }
  }
  const offsets = { rows, cols };
  offsetCache.set(key, offsets);
  return offsets;
}
