/**
 * The research team: agents with distinct decision policies built from the experts and the router. An agent
 * re-decides every `horizon` bars (holding its proposal in between), weights its subset of experts by the
 * router's weights sharpened or flattened by a temperature (or equally), and scales the result by its appetite
 * for gross exposure. Its view per asset is v = side x appetite x sum_e w_e x_e / sum_e w_e, side -1 for a
 * contrarian book (anti-trend on a trend subset); a market-neutral book subtracts the view's mean over the assets
 * with a bar. The proposal is clamp(v, -1, 1).
 */
import { EXPERT_NAMES, Rng } from '@arena/core';

export interface AgentSpec {
  readonly id: number;
  /** e.g. `a03 h4 router/0.5 x1 trend+breakout` */
  readonly name: string;
  /** re-decides every this many bars (on bar indices counted from the epoch, so a restart keeps the phase) */
  readonly horizon: number;
  /** router weights raised to 1 / temperature (softmax temperature); null: equal weights over its experts */
  readonly temperature: number | null;
  /** multiplier on the combined exposure before clamping to [-1, 1] */
  readonly appetite: number;
  /** bit e set: expert e (EXPERT_NAMES, then the user's experts) is in the agent's subset */
  readonly experts: number;
  /** directional: its experts' view; contrarian: the opposite side; neutral: the view minus its cross-asset mean */
  readonly book: Book;
}

export const BOOKS = ['directional', 'contrarian', 'neutral'] as const;
export type Book = (typeof BOOKS)[number];

const E = EXPERT_NAMES.length;
const ALL = (1 << E) - 1;
const bit = (name: (typeof EXPERT_NAMES)[number]) => 1 << EXPERT_NAMES.indexOf(name);
const LEARNED = bit('learned');

/** The subsets the canonical grid draws from: all, all but learned, and pairings of complementary styles. */
export const EXPERT_SUBSETS: readonly number[] = [
  ALL,
  ALL & ~LEARNED,
  bit('trend') | bit('breakout'),
  bit('reversal') | bit('positioning'),
  bit('trend') | bit('learned'),
  bit('trend') | bit('positioning'),
  bit('breakout') | bit('learned'),
  LEARNED,
];
const TEMPERATURES: readonly (number | null)[] = [1, 0.5, 2, null];
const APPETITES: readonly number[] = [1, 0.5, 1.5];
const RANDOM_TEMPERATURES: readonly number[] = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4];

/** names: every expert, the built-in ones first (EXPERT_NAMES) */
export function expertSubsetName(mask: number, names: readonly string[] = EXPERT_NAMES): string {
  const all = (2 ** names.length - 1) | 0;
  if (mask === all) return 'all';
  if (mask === (all & ~LEARNED)) return 'all-learned';
  if (names.length > E && mask === ALL) return 'built-in';
  return names.filter((_, e) => (mask >> e) & 1).join('+');
}

export function agentName(s: Omit<AgentSpec, 'name'>, names: readonly string[] = EXPERT_NAMES): string {
  const w = s.temperature === null ? 'equal' : `router/${s.temperature}`;
  return `a${String(s.id).padStart(2, '0')} h${s.horizon} ${w} x${s.appetite} ${expertSubsetName(s.experts, names)}${s.book === 'directional' ? '' : ` ${s.book}`}`;
}

/**
 * The benchmark agent of a population: equal weights over every expert, appetite 1, directional, at the shortest
 * horizon (with horizon 1: the equal-weight strategy's own target). -1 when the population has none.
 */
export function benchmarkAgent(specs: readonly AgentSpec[], nExperts: number = E): number {
  if (specs.length === 0) return -1;
  const every = (2 ** nExperts - 1) | 0;
  const shortest = Math.min(...specs.map((s) => s.horizon));
  return specs.findIndex((s) => s.temperature === null && s.appetite === 1 && s.experts === every && s.book === 'directional' && s.horizon === shortest);
}

/**
 * A population of n agents. It leads with the benchmark agent (benchmarkAgent), then one directional agent per horizon on all experts, then, at the longest
 * horizon, a market-neutral book on all experts, a contrarian and a market-neutral book on trend+breakout and a
 * contrarian one on reversal+positioning; then the canonical grid (horizons x temperatures x appetites x subsets x
 * books) in a seeded order; beyond the grid, seeded random policies (any non-empty subset, a temperature from 0.25
 * to 4 on a grid of eight, appetite in [0.25, 2], any book).
 */
export function researchTeam(n: number, opts: { seed?: number; horizons?: readonly number[]; names?: readonly string[] } = {}): AgentSpec[] {
  const horizons = opts.horizons ?? [1, 4, 24];
  const names = opts.names ?? EXPERT_NAMES;
  if (names.length < E || names.slice(0, E).join(',') !== EXPERT_NAMES.join(',')) throw new Error(`expert names must start with the built-in ones (${EXPERT_NAMES.join(', ')}), got [${names.join(', ')}]`);
  if (names.length > 31) throw new Error(`at most 31 experts in a contest, got ${names.length}`);
  // with the user's experts: the lead and the random agents draw from every expert, and the grid gains each user
  // expert alone and beside trend and reversal
  const every = (2 ** names.length - 1) | 0;
  const userBits = Array.from({ length: names.length - E }, (_, u) => 1 << (E + u));
  const subsets = [...EXPERT_SUBSETS, ...(userBits.length > 0 ? [every & ~LEARNED] : []), ...userBits, ...userBits.flatMap((b) => [b | bit('trend'), b | bit('reversal')])];
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`contest.agents must be an integer >= 1, got ${n}`);
  if (horizons.length === 0 || horizons.some((h) => !(Number.isInteger(h) && h >= 1))) throw new Error(`contest.horizons must be integers >= 1, got [${horizons.join(', ')}]`);
  const rng = new Rng(opts.seed ?? 11);
  const longest = Math.max(...horizons);
  const shortest = Math.min(...horizons);
  const styles = { trendBreakout: bit('trend') | bit('breakout'), reversalPositioning: bit('reversal') | bit('positioning') };
  const lead: Omit<AgentSpec, 'id' | 'name'>[] = [
    // the benchmark agent: equal weights over every expert at the shortest horizon (see benchmarkAgent)
    { horizon: shortest, temperature: null, appetite: 1, experts: every, book: 'directional' },
    ...horizons.map((h) => ({ horizon: h, temperature: 1, appetite: 1, experts: every, book: 'directional' as const })),
    { horizon: longest, temperature: 1, appetite: 1, experts: every, book: 'neutral' },
    { horizon: longest, temperature: 1, appetite: 1, experts: styles.trendBreakout, book: 'contrarian' },
    { horizon: longest, temperature: 1, appetite: 1, experts: styles.trendBreakout, book: 'neutral' },
    { horizon: longest, temperature: 1, appetite: 1, experts: styles.reversalPositioning, book: 'contrarian' },
  ];
  const inLead = (a: Omit<AgentSpec, 'id' | 'name'>) => lead.some((l) => l.horizon === a.horizon && l.temperature === a.temperature && l.appetite === a.appetite && l.experts === a.experts && l.book === a.book);
  const grid: Omit<AgentSpec, 'id' | 'name'>[] = [];
  for (const horizon of horizons) {
    for (const temperature of TEMPERATURES) {
      for (const appetite of APPETITES) {
        for (const experts of subsets) {
          // one expert alone: the temperature changes nothing, keep only the equal variant
          if ((experts & (experts - 1)) === 0 && temperature !== null) continue;
          for (const book of BOOKS) {
            const a = { horizon, temperature, appetite, experts, book };
            if (!inLead(a)) grid.push(a);
          }
        }
      }
    }
  }
  for (let i = grid.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [grid[i], grid[j]] = [grid[j]!, grid[i]!];
  }
  const chosen = [...lead, ...grid].slice(0, n);
  while (chosen.length < n) {
    const experts = 1 + Math.floor(rng.next() * every);
    // temperatures from a fixed grid: the proposal loop raises the router weights to each distinct 1 / temperature once per bar
    const temperature = rng.next() < 0.2 ? null : RANDOM_TEMPERATURES[Math.floor(rng.next() * RANDOM_TEMPERATURES.length)]!;
    const book = BOOKS[Math.floor(rng.next() * BOOKS.length)]!;
    chosen.push({ horizon: horizons[Math.floor(rng.next() * horizons.length)]!, temperature, appetite: Number((0.25 + 1.75 * rng.next()).toFixed(3)), experts, book });
  }
  return chosen.map((s, id) => ({ id, name: agentName({ id, ...s }, names), ...s }));
}

/** The population in the flat typed arrays the proposal loop reads. */
export interface CompiledAgents {
  readonly n: number;
  /** experts the proposals read: the built-in ones, then the user's */
  readonly nExperts: number;
  readonly horizon: Int32Array;
  readonly appetite: Float64Array;
  /** [agent * experts + e]: 1 when the expert is in the agent's subset */
  readonly mask: Uint8Array;
  /** index into `invTemperatures` */
  readonly tau: Int32Array;
  /** distinct 1 / temperature values; 0 stands for equal weights */
  readonly invTemperatures: Float64Array;
  /** +1, or -1 for a contrarian book */
  readonly side: Float64Array;
  /** 1 for a market-neutral book */
  readonly neutral: Uint8Array;
}

export function compileAgents(specs: readonly AgentSpec[], nExperts: number = E): CompiledAgents {
  const n = specs.length;
  const inv = [...new Set(specs.map((s) => (s.temperature === null ? 0 : 1 / s.temperature)))];
  const mask = new Uint8Array(n * nExperts);
  const every = 2 ** nExperts - 1;
  specs.forEach((s, i) => {
    if (!(s.experts > 0 && s.experts <= every)) throw new Error(`agent ${s.name}: expert subset ${s.experts} is empty or names unknown experts`);
    for (let e = 0; e < nExperts; e++) mask[i * nExperts + e] = (s.experts >> e) & 1;
  });
  return {
    n,
    nExperts,
    horizon: Int32Array.from(specs, (s) => s.horizon),
    appetite: Float64Array.from(specs, (s) => s.appetite),
    mask,
    tau: Int32Array.from(specs, (s) => inv.indexOf(s.temperature === null ? 0 : 1 / s.temperature)),
    invTemperatures: Float64Array.from(inv),
    side: Float64Array.from(specs, (s) => (s.book === 'contrarian' ? -1 : 1)),
    neutral: Uint8Array.from(specs, (s) => (s.book === 'neutral' ? 1 : 0)),
  };
}
