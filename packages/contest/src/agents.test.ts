import { EXPERT_NAMES } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { compileAgents, researchTeam } from './agents.ts';
import { ProposalScratch, proposeRow } from './proposals.ts';

describe('research team with the user experts', () => {
  const names = [...EXPERT_NAMES, 'dip', 'carry'];

  it('without user experts the population is what it always was; with them, the lead and the grid include them', () => {
    expect(researchTeam(40, { seed: 5, names: EXPERT_NAMES })).toEqual(researchTeam(40, { seed: 5 }));
    const team = researchTeam(200, { seed: 5, names });
    // the lead agents trade every expert, the user's too
    expect(team[0]!.experts).toBe(0b1111111);
    expect(team[0]!.name).toMatch(/ all$/);
    expect(team.some((a) => a.name.endsWith(' dip'))).toBe(true);
    expect(team.some((a) => a.name.endsWith(' trend+carry'))).toBe(true);
    expect(() => researchTeam(4, { names: ['dip', ...EXPERT_NAMES] })).toThrow(/must start with the built-in ones/);
  });

  it('an agent on a user expert alone proposes that expert\'s exposure, scaled by its appetite', () => {
    const team = researchTeam(200, { seed: 5, names }).filter((a) => a.name.endsWith(' dip') && a.temperature === null);
    expect(team.length).toBeGreaterThan(0);
    const agents = compileAgents(team, names.length);
    const A = 2;
    const exposures = names.map((_, e) => Float64Array.from([0.1 * e, -0.05 * e]));
    const out = new Float32Array(agents.n * A);
    proposeRow(new ProposalScratch(agents, A), { exposures, present: [1, 1] }, 0, 0, undefined, 0, out, 0);
    team.forEach((a, i) => {
      expect(out[i * A]).toBeCloseTo(Math.min(1, a.appetite * 0.5), 6);
      expect(out[i * A + 1]).toBeCloseTo(Math.max(-1, -a.appetite * 0.25), 6);
    });
  });
});
