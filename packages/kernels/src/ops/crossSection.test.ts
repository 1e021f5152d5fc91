import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import {
  CrossSectionalRankKernel,
  CrossSectionalZScoreKernel,
  crossSectionLimits,
  crossSectionalRankCpu,
  crossSectionalZScoreCpu,
} from './crossSection.ts';
import { randomWalk } from './testData.ts';

const backends = await testBackends();

// rows: distinct values with a NaN; a tie; a single value; all equal; all NaN
const tiny = matrix(5, 4, Float64Array.from([3, NaN, 1, 2, 5, 1, 5, 3, NaN, 7, NaN, NaN, 2, 2, 2, 2, NaN, NaN, NaN, NaN]));

/** Random walks with ties and holes put in: a tied pair in every 7th row, a row of equal values, a one-value row. */
function panel() {
  const x = randomWalk(300, 6, 3, { holes: true });
  for (let t = 0; t < x.rows; t += 7) x.data[t * 6 + 4] = x.data[t * 6 + 5]!;
  for (let c = 0; c < 6; c++) x.data[100 * 6 + c] = 42;
  for (let c = 1; c < 6; c++) x.data[101 * 6 + c] = NaN;
  return x;
}

describe('CrossSectionalRank', () => {
  it('reference: ranks / (n - 1) by hand, ties averaged, NaN kept, 0.5 for a lone value', () => {
    const y = crossSectionalRankCpu(tiny);
    expect(Array.from(y.data)).toEqual([1, NaN, 0, 0.5, 5 / 6, 0, 5 / 6, 1 / 3, NaN, 0.5, NaN, NaN, 0.5, 0.5, 0.5, 0.5, NaN, NaN, NaN, NaN]);
  });

  const x = panel();
  const expected = crossSectionalRankCpu(x);
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: error < 1e-6)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, CrossSectionalRankKernel, x, {}, 'tfjs');
      expect(maxRelativeError(y, expected)).toBeLessThan(1e-6);
    });
    it.skipIf(!b.runtime)(`tfjs on ${b.name} over 10-row chunks equals the reference${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const saved = crossSectionLimits.chunkElements;
      crossSectionLimits.chunkElements = 10 * 36;
      try {
        const y = await runKernel(b.runtime!, CrossSectionalRankKernel, x, {}, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-6);
      } finally {
        crossSectionLimits.chunkElements = saved;
      }
    });
  }
});

describe('CrossSectionalZScore', () => {
  it('reference: population z-scores by hand, NaN where std = 0 or no value', () => {
    const y = crossSectionalZScoreCpu(tiny);
    // row 0: 3, 1, 2: mean 2, population std sqrt(2/3)
    const s0 = Math.sqrt(2 / 3);
    // row 1: 5, 1, 5, 3: mean 3.5, deviations 1.5, -2.5, 1.5, -0.5: variance 11/4
    const s1 = Math.sqrt(11 / 4);
    const want = [1 / s0, NaN, -1 / s0, 0, 1.5 / s1, -2.5 / s1, 1.5 / s1, -0.5 / s1];
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(want[i]!)) expect(y.data[i]).toBeNaN();
      else expect(y.data[i]).toBeCloseTo(want[i]!, 14);
    }
    for (let i = 8; i < 20; i++) expect(y.data[i]).toBeNaN(); // one value, all equal, none
  });

  const x = panel();
  const expected = crossSectionalZScoreCpu(x);
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference (float32: abs. error < 1e-5)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const y = await runKernel(b.runtime!, CrossSectionalZScoreKernel, x, {}, 'tfjs');
      expect(maxRelativeError(y, expected)).toBeLessThan(1e-5);
    });
  }
});
