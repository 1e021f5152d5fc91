/**
 * The search space of `arena optimize`: one dimension per tunable setting, named by its config key. The built-in
 * experts' and the portfolio's ranges are declared here beside their config keys; a user's expert declares its own
 * (ExpertSpec.params: min, max, int, log, choices). A point of the space is a vector in [0, 1)^d (what the samplers
 * draw); decode turns it into values.
 */
import type { ArenaConfig } from '@arena/core';
import type { ParamSpec, ParamValue, UserExpert } from '@arena/experts';

export interface SearchDim {
  /** config key: experts.trend.fast, portfolio.costBand, experts.custom.NAME.PARAM */
  readonly key: string;
  /** the group --space selects it by: an expert's name or 'portfolio' */
  readonly group: string;
  readonly kind: 'float' | 'int' | 'choice';
  readonly min: number;
  readonly max: number;
  readonly log: boolean;
  readonly choices?: readonly ParamValue[];
}

const num = (key: string, group: string, min: number, max: number, o: { int?: boolean; log?: boolean } = {}): SearchDim => ({ key, group, kind: o.int ? 'int' : 'float', min, max, log: o.log === true });

/** The built-in experts' and the portfolio's ranges (their defaults, config.ts, lie inside). */
export const BUILTIN_SPACE: readonly SearchDim[] = [
  num('experts.trend.fast', 'trend', 5, 60, { int: true }),
  num('experts.trend.slow', 'trend', 40, 400, { int: true, log: true }),
  num('experts.trend.gain', 'trend', 0.3, 5, { log: true }),
  num('experts.reversal.window', 'reversal', 10, 100, { int: true }),
  num('experts.reversal.entryZ', 'reversal', 0.5, 2.5),
  num('experts.reversal.zMax', 'reversal', 2.6, 5),
  num('experts.breakout.window', 'breakout', 10, 200, { int: true, log: true }),
  num('experts.breakout.exitWindow', 'breakout', 5, 60, { int: true }),
  num('experts.breakout.volumeMult', 'breakout', 0, 2),
  num('experts.positioning.targetVol', 'positioning', 0.1, 1, { log: true }),
  num('experts.positioning.maxDrawdown', 'positioning', 0.1, 0.6),
  num('portfolio.costBand', 'portfolio', 0, 4),
  num('portfolio.noTradeBand', 'portfolio', 0, 0.5),
  num('portfolio.maxPerAsset', 'portfolio', 0.1, 1),
];

function userDims(u: UserExpert): SearchDim[] {
  const out: SearchDim[] = [];
  for (const [p, s] of Object.entries((u.spec.params ?? {}) as Record<string, ParamSpec>)) {
    const key = `experts.custom.${u.name}.${p}`;
    if (s.choices !== undefined) out.push({ key, group: u.name, kind: 'choice', min: 0, max: s.choices.length - 1, log: false, choices: s.choices });
    else if (typeof s.default === 'boolean') out.push({ key, group: u.name, kind: 'choice', min: 0, max: 1, log: false, choices: [false, true] });
    // a number without a range cannot be searched: it keeps its value
    else if (typeof s.default === 'number' && s.min !== undefined && s.max !== undefined && s.max > s.min) out.push(num(key, u.name, s.min, s.max, { int: s.int === true, log: s.log === true }));
  }
  return out;
}

/** The dimensions of the groups asked for (default: every expert with a static weight > 0, the user's, and the portfolio). */
export function searchSpace(config: ArenaConfig, user: readonly UserExpert[], groups?: readonly string[]): SearchDim[] {
  const all = [...BUILTIN_SPACE, ...user.flatMap(userDims)];
  const known = [...new Set(all.map((d) => d.group))];
  const chosen = groups ?? known.filter((g) => g === 'portfolio' || (config.experts.weights as Record<string, number | undefined>)[g] !== 0);
  const unknown = chosen.filter((g) => !known.includes(g));
  if (unknown.length > 0) throw new Error(`--space names ${unknown.join(', ')}; the groups are ${known.join(', ')}`);
  const dims = all.filter((d) => chosen.includes(d.group));
  if (dims.length === 0) throw new Error(`--space ${chosen.join(',')} has no tunable parameter (a user expert's params need min and max, or choices)`);
  return dims;
}

/** u in [0, 1) -> the dimension's value (log dims uniform in log space, ints rounded, choices by index). */
export function decodeDim(d: SearchDim, u: number): ParamValue {
  const x = Math.min(Math.max(u, 0), 1 - 1e-12);
  if (d.kind === 'choice') return d.choices![Math.floor(x * d.choices!.length)]!;
  const v = d.log ? Math.exp(Math.log(d.min) + x * (Math.log(d.max) - Math.log(d.min))) : d.min + x * (d.max - d.min);
  if (d.kind === 'int') return Math.min(d.max, Math.max(d.min, Math.round(v)));
  return Number(v.toPrecision(6));
}

/** A value -> its place in [0, 1) (the inverse of decodeDim, for a default or a stored trial). */
export function encodeDim(d: SearchDim, v: ParamValue): number {
  if (d.kind === 'choice') return (Math.max(0, d.choices!.indexOf(v)) + 0.5) / d.choices!.length;
  const x = Number(v);
  const u = d.log ? (Math.log(x) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)) : (x - d.min) / (d.max - d.min);
  return Math.min(Math.max(u, 0), 1 - 1e-9);
}

export function decode(dims: readonly SearchDim[], u: readonly number[]): Record<string, ParamValue> {
  return Object.fromEntries(dims.map((d, i) => [d.key, decodeDim(d, u[i]!)]));
}

/** Sets a value at its config key in `out` (experts.custom.NAME.PARAM goes into that entry's params, made if absent). */
export function setParam(out: Record<string, unknown>, key: string, value: ParamValue): void {
  const parts = key.split('.');
  if (parts[0] === 'experts' && parts[1] === 'custom') {
    const custom = (((out['experts'] ??= {}) as Record<string, unknown>)['custom'] ??= []) as { name: string; params?: Record<string, ParamValue> }[];
    let entry = custom.find((c) => c.name === parts[2]);
    if (entry === undefined) custom.push((entry = { name: parts[2]!, params: {} }));
    entry.params = { ...entry.params, [parts[3]!]: value };
    return;
  }
  let node = out;
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/** A config input with the values set at their keys. */
export function withParams(input: Record<string, unknown>, params: Readonly<Record<string, ParamValue>>): Record<string, unknown> {
  const out = structuredClone(input);
  for (const [key, value] of Object.entries(params)) setParam(out, key, value);
  return out;
}

/** The values the config holds at the dimensions' keys (the defaults a search is compared with). */
export function currentParams(config: ArenaConfig, dims: readonly SearchDim[], user: readonly UserExpert[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const d of dims) {
    const parts = d.key.split('.');
    if (parts[1] === 'custom') {
      const u = user.find((x) => x.name === parts[2]);
      out[d.key] = u?.params[parts[3]!] ?? decodeDim(d, 0.5);
      continue;
    }
    let node: unknown = config;
    for (const p of parts) node = (node as Record<string, unknown>)[p];
    out[d.key] = node as ParamValue;
  }
  return out;
}
