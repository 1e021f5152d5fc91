/** Shared plumbing of the kernel implementations: float32 conversion and row chunking with a window halo. */
import type { Matrix } from '../matrix.ts';

export interface RowChunk {
  /** float32 rows [outStart - firstRow, outStart - firstRow + rows) of the matrix */
  readonly data: Float32Array;
  readonly rows: number;
  /** rows of halo before the first output row (the window's look-back) */
  readonly firstRow: number;
  /** first output row of the matrix this chunk computes */
  readonly outStart: number;
}

/**
 * Splits a matrix into row chunks that fit a storage binding (in float32 elements), each carrying `halo` rows of
 * look-back before its first output row, so windowed kernels compute every output row exactly once.
 */
export function* chunkRows(x: Matrix, halo: number, maxElements: number): Generator<RowChunk> {
  const maxRows = Math.max(halo + 1, Math.floor(maxElements / Math.max(1, x.cols)));
  const outPerChunk = maxRows - halo;
  for (let start = 0; start < x.rows; start += outPerChunk) {
    const from = Math.max(0, start - halo);
    const to = Math.min(x.rows, start + outPerChunk);
    yield {
      data: Float32Array.from(x.data.subarray(from * x.cols, to * x.cols)),
      rows: to - from,
      firstRow: start - from,
      outStart: start,
    };
  }
}

/** Copies float32 results into a Float64 destination at an offset. */
export function fromFloat32(src: Float32Array, dst: Float64Array, offset: number): void {
  for (let i = 0; i < src.length; i++) dst[offset + i] = src[i]!;
}

/**
 * Elements per tfjs call: the wasm backend's heap (and a GPU's memory) must hold a chunk and its intermediates;
 * 512 assets x 100k bars in one call overruns wasm's memory, so tensor paths work through row chunks of this size.
 */
export const TFJS_CHUNK_ELEMENTS = 1 << 22;

let tfjsChunk = TFJS_CHUNK_ELEMENTS;

/** Elements per tfjs call (tests lower it to exercise the chunking). */
export function tfjsChunkElements(): number {
  return tfjsChunk;
}

export function setTfjsChunkElements(n: number): void {
  tfjsChunk = n;
}
