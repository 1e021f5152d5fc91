import { EXPERT_NAMES } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { type AgentSpec, BOOKS, agentName, benchmarkAgent, compileAgents, researchTeam } from './agents.ts';
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

describe('books: directional, contrarian, market-neutral', () => {
  const A = 4;
  const exposures = EXPERT_NAMES.map((_, e) => Float64Array.from({ length: A }, (_, a) => 0.2 * (a - 1) + 0.05 * e));
  const spec = (book: AgentSpec['book'], id: number): AgentSpec => {
    const s = { id, horizon: 1, temperature: null, appetite: 1, experts: 0b1, book };
    return { ...s, name: agentName(s) };
  };

  it('a contrarian book proposes the opposite of its experts\' view; a neutral one the view minus its mean over the assets with a bar', () => {
    const team = BOOKS.map(spec);
    expect(team.map((a) => a.name)).toEqual(['a00 h1 equal x1 trend', 'a01 h1 equal x1 trend contrarian', 'a02 h1 equal x1 trend neutral']);
    const agents = compileAgents(team);
    const out = new Float32Array(agents.n * A);
    const present = [1, 1, 0, 1];
    proposeRow(new ProposalScratch(agents, A), { exposures, present }, 0, 0, undefined, 0, out, 0);
    const trend = exposures[0]!;
    const live = [0, 1, 3];
    const mean = live.reduce((s, a) => s + trend[a]!, 0) / live.length;
    for (const a of live) {
      expect(out[a]).toBeCloseTo(trend[a]!, 6);
      expect(out[A + a]).toBeCloseTo(-trend[a]!, 6);
      expect(out[2 * A + a]).toBeCloseTo(trend[a]! - mean, 6);
    }
    // the asset without a bar keeps its previous proposal (0 at the first bar), outside the neutral book's mean
    expect([out[2], out[A + 2], out[2 * A + 2]]).toEqual([0, 0, 0]);
    expect(live.reduce((s, a) => s + out[2 * A + a]!, 0)).toBeCloseTo(0, 6);
  });

  it('the population leads with the benchmark, every horizon on all experts, then neutral and contrarian books, and draws every book after', () => {
    const team = researchTeam(32, { seed: 11 });
    expect(team.slice(0, 8).map((a) => a.name.replace(/^a\d+ /, ''))).toEqual([
      'h1 equal x1 all',
      'h1 router/1 x1 all',
      'h4 router/1 x1 all',
      'h24 router/1 x1 all',
      'h24 router/1 x1 all neutral',
      'h24 router/1 x1 trend+breakout contrarian',
      'h24 router/1 x1 trend+breakout neutral',
      'h24 router/1 x1 reversal+positioning contrarian',
    ]);
    for (const book of BOOKS) expect(team.slice(8).filter((a) => a.book === book).length, book).toBeGreaterThan(3);
    expect(new Set(team.map((a) => a.name.replace(/^a\d+ /, ''))).size).toBe(32);
    expect(benchmarkAgent(team)).toBe(0);
    // with the user's experts the benchmark spans them too; horizons without 1: the shortest
    expect(researchTeam(8, { names: [...EXPERT_NAMES, 'dip'], horizons: [4, 24] })[benchmarkAgent(researchTeam(8, { names: [...EXPERT_NAMES, 'dip'], horizons: [4, 24] }), EXPERT_NAMES.length + 1)]!.name).toBe('a00 h4 equal x1 all');
    expect(benchmarkAgent(team.slice(1))).toBe(-1);
  });
});
