/**
 * Pixel orders of a rendered image. Row-major (y, x) is what a PNG, a report and a VLM are shown. The tiled order
 * is what a stack of patchify layers reads: with tiles [p1, p2, ...] (innermost first) each p1 x p1 tile's pixels are
 * contiguous (row-major inside), the tiles are grouped p2 x p2 the same way, and so on, the outermost grid of
 * blocks row-major. A net whose k-th stage is a p_k x p_k patchify then needs only reshapes, no transposes, to
 * gather its patches (router/model.ts, routerInference).
 */

const cache = new Map<string, PixelOffsets>();

/**
 * An order as a sum: pixel (y, x) sits at place rows[y] + cols[x] (values: 3 x place, RGB), so a column of pixels
 * is one base plus a row table. Both orders are separable: row-major is y x width + x; in the tiled one each level's
 * digit of y and of x add apart.
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
 * Places along one axis, x 3. A coordinate v lies in block floor(v / block) (the outer grid, row-major: `outer`
 * places per block step) and, at level l, in cell floor(v / (p1 ... p(l-1))) % p_l of its group, which moves it
 * `digit` x (p1 ... p(l-1))^2 places: digit p_l for a row (a row of cells), 1 for a column.
 */
function axisPlaces(n: number, tiles: readonly number[], block: number, outer: number, row: boolean): Int32Array {
  const out = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    let place = Math.floor(v / block) * outer;
    let side = 1; // p1 ... p(l-1)
    for (const p of tiles) {
      place += (Math.floor(v / side) % p) * (row ? p : 1) * side * side;
      side *= p;
    }
    out[v] = place * 3;
  }
  return out;
}

/** Value offsets (place x 3) of row y and column x, row-major when tiles is undefined; cached, read-only. */
export function pixelOffsets(width: number, height: number, tiles?: readonly number[]): PixelOffsets {
  const key = `${width}x${height}:${tiles?.join(',') ?? 'rows'}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let offsets: PixelOffsets;
  if (tiles === undefined) {
    offsets = { rows: Int32Array.from({ length: height }, (_, y) => y * width * 3), cols: Int32Array.from({ length: width }, (_, x) => x * 3) };
  } else {
    checkTiles(width, height, tiles);
    const block = tiles.reduce((b, p) => b * p, 1);
    // a block holds block^2 pixels; a row of blocks, width / block of them
    offsets = { rows: axisPlaces(height, tiles, block, (width / block) * block * block, true), cols: axisPlaces(width, tiles, block, block * block, false) };
  }
  cache.set(key, offsets);
  return offsets;
}

/** For each pixel in row-major order (y * width + x), its place in the tiled order (a new array). */
export function pixelOrder(width: number, height: number, tiles: readonly number[]): Int32Array {
  const { rows, cols } = pixelOffsets(width, height, tiles);
  const order = new Int32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) order[y * width + x] = (rows[y]! + cols[x]!) / 3;
  return order;
}
