import { Rng } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { runKernel } from '../dispatch.ts';
import { matrix, maxRelativeError } from '../matrix.ts';
import { testBackends } from '../testing.ts';
import { AgentRewardsKernel, agentRewardsCpu, agentRewardsLimits } from './agentRewards.ts';

const backends = await testBackends();

describe('AgentRewards', () => {
  it('reference: gross return on the slot minus the cost of the change, by hand', () => {
    // 2 rows, 2 agents, 2 assets; slot 0.5, cost 0.01
    const proposals = Float32Array.from([1, 0, -1, 0.5, /* row 1 */ 1, 1, 0, 0.5]);
    const returns = matrix(2, 2, Float64Array.from([0.02, -0.01, 0.03, NaN]));
    const y = agentRewardsCpu({ proposals, agents: 2, returns }, { slot: 0.5, cost: 0.01 });
    // row 0 from flat: agent 0 gross 0.02, traded 1; agent 1 gross -0.02 - 0.005, traded 1.5
    expect(y.data[0]).toBeCloseTo(0.5 * 0.02 - 0.01 * 0.5 * 1, 12);
    expect(y.data[1]).toBeCloseTo(0.5 * (-0.02 - 0.005) - 0.01 * 0.5 * 1.5, 12);
    // row 1: asset 1 missing earns nothing but agent 0's change there still pays
    expect(y.data[2]).toBeCloseTo(0.5 * 0.03 - 0.01 * 0.5 * 1, 12);
    expect(y.data[3]).toBeCloseTo(0 - 0.01 * 0.5 * 1, 12);
    // a previous row changes row 0's turnover only
    const withPrev = agentRewardsCpu({ proposals, agents: 2, returns, previous: Float32Array.from([1, 0, -1, 0.5]) }, { slot: 0.5, cost: 0.01 });
    expect(withPrev.data[0]).toBeCloseTo(0.01, 12);
    expect(withPrev.data[2]).toBeCloseTo(y.data[2]!, 12);
  });

  it('reference: a row whose returns are all unknown is NaN; shapes and parameters are checked', () => {
    const y = agentRewardsCpu({ proposals: new Float32Array(4), agents: 1, returns: matrix(2, 2, Float64Array.from([0, 0, NaN, NaN])) }, { slot: 1, cost: 0 });
    expect(Array.from(y.data)).toEqual([0, NaN]);
    expect(() => agentRewardsCpu({ proposals: new Float32Array(3), agents: 1, returns: matrix(2, 2) }, { slot: 1, cost: 0 })).toThrow(/expected 2 rows x 1 agents x 2 assets/);
    expect(() => agentRewardsCpu({ proposals: new Float32Array(4), agents: 1, returns: matrix(2, 2) }, { slot: 0, cost: 0 })).toThrow(/slot > 0/);
  });

  const rng = new Rng(3);
  const rows = 200;
  const agents = 9;
  const assets = 7;
  const proposals = Float32Array.from({ length: rows * agents * assets }, () => Math.round((2 * rng.next() - 1) * 8) / 8);
  const returns = matrix(rows, assets, Float64Array.from({ length: rows * assets }, (_, i) => (i % 17 === 0 ? NaN : 0.01 * rng.normal())));
  for (let a = 0; a < assets; a++) returns.data[(rows - 1) * assets + a] = NaN;
  const previous = Float32Array.from({ length: agents * assets }, () => rng.next());
  const input = { proposals, agents, returns, previous };
  const params = { slot: 1 / assets, cost: 0.0012 };
  const expected = agentRewardsCpu(input, params);
  for (const b of backends) {
    it.skipIf(!b.runtime)(`tfjs on ${b.name} equals the reference over chunk edges (float32: error < 1e-6)${b.skipReason ? ` [${b.skipReason}]` : ''}`, async () => {
      const saved = agentRewardsLimits.chunkElements;
      agentRewardsLimits.chunkElements = agents * assets * 33; // 33-row chunks: the previous row crosses chunk edges
      try {
        const y = await runKernel(b.runtime!, AgentRewardsKernel, input, params, 'tfjs');
        expect(maxRelativeError(y, expected)).toBeLessThan(1e-6);
        expect(Number.isNaN(y.data[(rows - 1) * agents])).toBe(true);
      } finally {
        agentRewardsLimits.chunkElements = saved;
      }
    });
  }
});
