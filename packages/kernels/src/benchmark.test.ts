import { describe, expect, it } from 'vitest';
import { type SampleData, benchCase, sampleData } from './benchmark.ts';
import { matrix } from './matrix.ts';

describe('kernel benchmark cases', () => {
  it('the contest case holds 256 agents x rows x assets proposals, and is refused where it would not fit in memory', () => {
    const c = benchCase('AgentRewards', sampleData(8, 100)) as { input: { proposals: Float32Array; agents: number } };
    expect(c.input.agents).toBe(256);
    expect(c.input.proposals.length).toBe(256 * 8 * 100);
    for (const v of c.input.proposals.subarray(0, 1000)) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    // 512 x 100k would need 13 G proposals: no case, instead of an allocation that throws (only the shape is read)
    const huge = { returns: { rows: 100_000, cols: 512 } } as unknown as SampleData;
    expect(benchCase('AgentRewards', huge)).toBeUndefined();
    // the other kernels' cases reference the sample matrices, whatever their size
    expect(benchCase('RollingMean', { close: matrix(2, 2) } as unknown as SampleData)).toBeDefined();
  });
});
