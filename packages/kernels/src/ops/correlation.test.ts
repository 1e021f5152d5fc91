import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import {
  RollingCorrelationKernel,
  RollingCovarianceKernel,
  correlationLimits,
  rollingCorrelationCpu,
  rollingCovarianceCpu,
} from './correlation.ts';
import { logReturnsCpu } from './logReturns.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

// rows of (ref, follower, constant)
const tiny = matrix(5, 3, Float64Array.from([1, 2, 7, 2, 4, 7, 3, 5, 7, NaN, 6, 7, 5, 7, 7]));

/** Returns where columns 2.. follow column 1 (the market, with a hole) plus their own noise; column 0 starts late. */
function marketReturns(): Matrix {
  const r = logReturnsCpu(randomWalk(700, 5, 3, { holes: true }), { lags: [1] })[0]!;
  for (let t = 0; t < r.rows; t++) for (let c = 2; c < r.cols; c++) r.data[t * r.cols + c] = r.data[t * r.cols + c]! + 0.3 * c * r.data[t * r.cols + 1]!;
  return r;
}

/** Largest |a - b| / sqrt(b_ii b_jj) over the covariance matrices (an error on the correlation scale). */
function maxCovarianceError(a: Float64Array[], b: Float64Array[], cols: number): number {
  let worst = 0;
  for (let k = 0; k < b.length; k++) {
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) {
        const x = a[k]![i * cols + j]!;
        const y = b[k]![i * cols + j]!;
        if (Number.isNaN(x) || Number.isNaN(y)) {
          if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
          continue;
        }
        worst = Math.max(worst, Math.abs(x - y) / Math.sqrt(b[k]![i * cols + i]! * b[k]![j * cols + j]!));
      }
    }
  }
  return worst;
}

describe('RollingCorrelation', () => {
  it('reference: by hand; NaN while short, when the window holds a NaN in either column, or a variance is 0', () => {
    const y = rollingCorrelationCpu(tiny, { window: 3, ref: 0 });
    // rows 0-2: a = 1, 2, 3 and b = 2, 4, 5: cov 3 (sums), var 2 and 14/3
    expect(y.data[2 * 3]).toBeCloseTo(1, 14);
    expect(y.data[2 * 3 + 1]).toBeCloseTo(3 / Math.sqrt(2 * (14 / 3)), 14);
    expect(y.data[2 * 3 + 2]).toBeNaN(); // constant column
    for (const t of [0, 1, 3, 4]) for (let c = 0; c < 3; c++) expect(y.data[t * 3 + c]).toBeNaN();
  });

  const x = marketReturns();
  const expected = rollingCorrelationCpu(x, { window: 30, ref: 1 });
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: abs. error < 1e-4)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, RollingCorrelationKernel, x, { window: 30, ref: 1 }, 'tfjs');
      expect(maxRelativeError(y, expected)).toBeLessThan(1e-4);
    });
    it.skipIf(!b.runtime)(`tfjs on ${b.name} over 100-row chunks equals the reference${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const saved = correlationLimits.chunkElements;
      correlationLimits.chunkElements = 129 * 5;
      try {
        const y = await runKernel(b.runtime!, RollingCorrelationKernel, x, { window: 30, ref: 1 }, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-4);
      } finally {
        correlationLimits.chunkElements = saved;
      }
    });
  }
});

describe('RollingCovariance', () => {
  it('reference: sample covariance matrices by hand, NaN pairs for a NaN in the window', () => {
    const [short, full, holed] = rollingCovarianceCpu(tiny, { window: 3, rows: [1, 2, 4] });
    expect(Array.from(short!).every(Number.isNaN)).toBe(true);
    const want = [1, 1.5, 0, 1.5, 7 / 3, 0, 0, 0, 0];
    for (let i = 0; i < 9; i++) expect(full![i]).toBeCloseTo(want[i]!, 14);
    // rows 2-4: column 0 holds a NaN; column 1 is 5, 6, 7
    expect(Array.from(holed!)).toEqual([NaN, NaN, NaN, NaN, 1, 0, NaN, 0, 0]);
  });

  const x = marketReturns();
  const rows = [10, 29, 40, 349, 350, 377, 698];
  const expected = rollingCovarianceCpu(x, { window: 30, rows });
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: error < 1e-5 of sqrt(var_i var_j))${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, RollingCovarianceKernel, x, { window: 30, rows }, 'tfjs');
      expect(y).toHaveLength(rows.length);
      expect(maxCovarianceError(y, expected, x.cols)).toBeLessThan(1e-5);
    });
  }
});
