import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { CorrelationMatrixKernel, correlationMatrixCpu, correlationOfColumns } from './correlationMatrix.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

describe('CorrelationMatrix', () => {
  it('correlationOfColumns (the sample held column by column) equals the reference bit for bit, NaNs and a constant column included', () => {
    const x = randomWalk(301, 7, 5);
    x.data[10 * 7 + 3] = NaN;
    x.data[200 * 7 + 3] = NaN;
    x.data[50 * 7] = NaN;
    for (let t = 0; t < x.rows; t++) x.data[t * 7 + 6] = 4;
    const columns = new Float64Array(x.rows * x.cols);
    for (let t = 0; t < x.rows; t++) for (let c = 0; c < x.cols; c++) columns[c * x.rows + t] = x.data[t * x.cols + c]!;
    const kept = Float64Array.from(columns);
    expect(Array.from(correlationOfColumns(columns, x.rows, x.cols))).toEqual(Array.from(correlationMatrixCpu(x).data));
    // the input is left alone (the standardised columns go to the scratch)
    expect(Array.from(columns)).toEqual(Array.from(kept));
  });

  it('every entry is its two standardised columns\' dot product summed over the rows in order, for 1 to 11 columns (every remainder of the blocks)', () => {
    for (let cols = 1; cols <= 11; cols++) {
      const x = randomWalk(97, cols, cols);
      const columns = new Float64Array(x.rows * cols);
      for (let t = 0; t < x.rows; t++) for (let c = 0; c < cols; c++) columns[c * x.rows + t] = x.data[t * cols + c]!;
      const z = new Float64Array(x.rows * cols);
      const got = correlationOfColumns(columns, x.rows, cols, z);
      for (let i = 0; i < cols; i++) {
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let t = 0; t < x.rows; t++) s += z[i * x.rows + t]! * z[j * x.rows + t]!;
          const want = i === j ? 1 : s;
          if (got[i * cols + j] !== want) throw new Error(`${cols} columns: entry (${i}, ${j}) is ${got[i * cols + j]}, the in-order sum ${want}`);
        }
      }
    }
  });

  it('reference: by hand on 3 columns (y = 2x, z = -x + const, a constant column)', () => {
    const x = matrix(4, 4, Float64Array.from([1, 2, 9, 5, 2, 4, 8, 5, 3, 6, 7, 5, 4, 8, 6, 5]));
    const c = correlationMatrixCpu(x);
    const row = (i: number) => Array.from(c.data.subarray(i * 4, i * 4 + 4)).map((v) => Math.round(v * 1e12) / 1e12);
    expect(row(0)).toEqual([1, 1, -1, 0]);
    expect(row(2)).toEqual([-1, -1, 1, 0]);
    expect(row(3)).toEqual([0, 0, 0, 1]);
  });

  it('reference: a NaN cell is mean-imputed (same as dropping it from the cross products)', () => {
    const x = randomWalk(200, 5, 11);
    const c = correlationMatrixCpu(x);
    // an entry against the textbook Pearson of its two columns
    const col = (m: typeof x, k: number) => Array.from({ length: m.rows }, (_, t) => m.data[t * m.cols + k]!);
    const pearson = (a: number[], b: number[]) => {
      const ma = a.reduce((s, v) => s + v, 0) / a.length;
      const mb = b.reduce((s, v) => s + v, 0) / b.length;
      let ab = 0;
      let aa = 0;
      let bb = 0;
      a.forEach((v, i) => ((ab += (v - ma) * (b[i]! - mb)), (aa += (v - ma) ** 2), (bb += (b[i]! - mb) ** 2)));
      return ab / Math.sqrt(aa * bb);
    };
    expect(c.data[1]).toBeCloseTo(pearson(col(x, 0), col(x, 1)), 12);
    for (const v of c.data) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12);
    // the NaN cell counts as its column's mean: the same matrix as with that mean written in
    x.data[7 * 5 + 2] = NaN;
    const d = correlationMatrixCpu(x);
    const known = col(x, 2).filter((v) => v === v);
    const imputed = { ...x, data: Float64Array.from(x.data) };
    imputed.data[7 * 5 + 2] = known.reduce((s, v) => s + v, 0) / known.length;
    const e = correlationMatrixCpu(imputed);
    for (let i = 0; i < 25; i++) expect(d.data[i]).toBeCloseTo(e.data[i]!, 12);
    expect(d.data[2 * 5 + 3]).not.toBeCloseTo(c.data[2 * 5 + 3]!, 12);
  });

  const x = randomWalk(500, 12, 5);
  const expected = correlationMatrixCpu(x);
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: error < 1e-5)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, CorrelationMatrixKernel, x, {}, 'tfjs');
      expect(maxRelativeError(y, expected)).toBeLessThan(1e-5);
    });
  }
});
