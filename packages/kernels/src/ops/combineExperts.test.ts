import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { type Matrix, matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { CombineExpertsKernel, combineExpertsCpu, combineLimits } from './combineExperts.ts';

const backends = await testBackends();

/** E experts over [rows x cols]: exposures in [-1, 1], logits of a few units (some large, to need the max shift). */
function experts(e: number, rows: number, cols: number, seed: number): { exposures: Matrix[]; logits: Matrix[] } {
  const rng = new Rng(seed);
  const make = (f: () => number) => matrix(rows, cols, Float64Array.from({ length: rows * cols }, f));
  const exposures = Array.from({ length: e }, () => make(() => 2 * rng.next() - 1));
  const logits = Array.from({ length: e }, (_, k) => make(() => 3 * rng.normal() + (k === 0 ? 80 : 0)));
  // warm-up: expert 1 has no exposure for the first rows; expert 2 no logit on a few cells; one cell has nothing
  for (let i = 0; i < 20 * cols; i++) exposures[1]!.data[i] = NaN;
  for (let i = 0; i < rows * cols; i += 13) logits[2]!.data[i] = NaN;
  for (const m of exposures) m.data[5 * cols + 1] = NaN;
  return { exposures, logits };
}

describe('CombineExperts', () => {
  it('reference: softmax weights by hand, NaN experts left out of a cell, NaN when none is left', () => {
    const exposures = [matrix(1, 3, Float64Array.from([1, 1, NaN])), matrix(1, 3, Float64Array.from([-1, 0.5, NaN]))];
    const logits = [matrix(1, 3, Float64Array.from([Math.log(3), 1000, 0])), matrix(1, 3, Float64Array.from([0, NaN, 0]))];
    const y = combineExpertsCpu({ exposures, logits }, { temperature: 1 });
    // cell 0: weights 3 and 1: (3 - 1) / 4; cell 1: expert 1 left out, no overflow from exp(1000); cell 2: none
    expect(y.data[0]).toBeCloseTo(0.5, 14);
    expect(Array.from(y.data).slice(1)).toEqual([1, NaN]);
    // temperature 2 halves the logits: weights sqrt(3) and 1
    const t2 = combineExpertsCpu({ exposures, logits }, { temperature: 2 });
    expect(t2.data[0]).toBeCloseTo((Math.sqrt(3) - 1) / (Math.sqrt(3) + 1), 14);
  });

  it('reference: rejects mismatched shapes and a non-positive temperature', () => {
    const m = matrix(2, 2);
    expect(() => combineExpertsCpu({ exposures: [m], logits: [m, m] }, { temperature: 1 })).toThrow(/as many/);
    expect(() => combineExpertsCpu({ exposures: [m], logits: [matrix(2, 3)] }, { temperature: 1 })).toThrow(/2x2/);
    expect(() => combineExpertsCpu({ exposures: [m], logits: [m] }, { temperature: 0 })).toThrow(/temperature/);
  });

  const panel = experts(4, 300, 7, 5);
  for (const temperature of [0.5, 4]) {
    const expected = combineExpertsCpu(panel, { temperature });
    for (const b of backends) {
      it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference, temperature ${temperature} (float32: error < 1e-6)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
        const saved = combineLimits.chunkElements;
        combineLimits.chunkElements = 4 * 7 * 64; // 64-row chunks
        try {
          const y = await runKernel(b.runtime!, CombineExpertsKernel, panel, { temperature }, 'tfjs');
          expect(maxRelativeError(y, expected)).toBeLessThan(1e-6);
        } finally {
          combineLimits.chunkElements = saved;
        }
      });
    }
  }
});
