/**
 * The expert SDK: a user writes an expert as an ExpertSpec (per-asset state, one bar in, an exposure out) and Arena
 * turns it into an Expert that runs in backtest, eval, paper and the dashboard alike. A module's default export is
 * its spec; it needs nothing from Arena at run time (`import type` only), so it works from any folder.
 *
 *   import type { ExpertSpec } from '@arena/experts';
 *   const spec: ExpertSpec<{ window: number }, { closes: number[] }> = {
 *     params: { window: { default: 20, min: 5, max: 200, int: true } },
 *     warmup: (p) => p.window,
 *     init: () => ({ closes: [] }),
 *     step: (s, bar, p) => { ... return exposure in [-1, 1] },
 *   };
 *   export default spec;
 */
import type { BarPanel } from '@arena/core';
import type { Expert, ExpertContext } from './expert.ts';

export type ParamValue = number | string | boolean;

/** One parameter: its default and the space `arena optimize` searches (numbers: [min, max], int, log; else choices). */
export interface ParamSpec {
  readonly default: ParamValue;
  readonly min?: number;
  readonly max?: number;
  /** integers only */
  readonly int?: boolean;
  /** searched on a log scale (min > 0) */
  readonly log?: boolean;
  /** the allowed values (strings, booleans or numbers) */
  readonly choices?: readonly ParamValue[];
}

/** The bar an expert sees, reused from bar to bar (copy what you keep). */
export interface ExpertBar {
  /** row of the bar in the panel and its open time (ms since the epoch) */
  readonly t: number;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** the asset's column and symbol */
  readonly asset: number;
  readonly symbol: string;
}

/** What step returns: a target exposure in [-1, 1] (clamped), or with a confidence in [0, 1]. */
export type ExpertOutput = number | { readonly exposure: number; readonly confidence?: number };

export interface ExpertSpec<P extends Record<string, ParamValue> = Record<string, ParamValue>, S = unknown> {
  /** the parameters the expert takes, with their defaults and search space */
  readonly params?: { readonly [K in keyof P]: ParamSpec };
  /** present bars an asset needs before its output counts (earlier outputs are held at 0); default 0 */
  readonly warmup?: number | ((params: P) => number);
  /** a fresh state for one asset */
  readonly init?: (params: P, ctx: ExpertContext & { readonly asset: number }) => S;
  /** one present bar of one asset, in time order: updates the state, returns the exposure */
  readonly step: (state: S, bar: ExpertBar, params: P) => ExpertOutput;
}

/** Why a spec or its params cannot be used (the loader adds the module's path); undefined when they can. */
export function specProblem(spec: unknown): string | undefined {
  if (typeof spec !== 'object' || spec === null) return `its default export is ${spec === null ? 'null' : typeof spec}, not an expert spec object (see docs/experts.md)`;
  const s = spec as Record<string, unknown>;
  if (typeof s['step'] !== 'function') return `its default export has no step(state, bar, params) function`;
  if (s['init'] !== undefined && typeof s['init'] !== 'function') return `init must be a function, got ${typeof s['init']}`;
  const w = s['warmup'];
  if (w !== undefined && typeof w !== 'function' && !(Number.isInteger(w) && (w as number) >= 0)) return `warmup must be an integer >= 0 or a function of the params, got ${String(w)}`;
  const params = s['params'];
  if (params === undefined) return undefined;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return `params must be an object of { default, min, max, int, log, choices }`;
  for (const [k, raw] of Object.entries(params)) {
    if (typeof raw !== 'object' || raw === null || !('default' in raw)) return `param ${k} must be { default, ... }`;
    const p = raw as ParamSpec;
    const bad = valueProblem(k, p.default, p);
    if (bad !== undefined) return `param ${k}'s default: ${bad.replace(`${k} `, '')}`;
    if (p.log === true && !((p.min ?? 0) > 0)) return `param ${k} is log-scaled, so it needs min > 0`;
    if (p.min !== undefined && p.max !== undefined && !(p.min <= p.max)) return `param ${k} has min ${p.min} > max ${p.max}`;
  }
  return undefined;
}

/** Why `v` is not a valid value of the param, undefined when it is. */
export function valueProblem(name: string, v: unknown, p: ParamSpec): string | undefined {
  if (p.choices !== undefined) return p.choices.includes(v as ParamValue) ? undefined : `${name} must be one of ${p.choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(v)}`;
  if (typeof p.default === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${name} must be a finite number, got ${JSON.stringify(v)}`;
    if (p.int === true && !Number.isInteger(v)) return `${name} must be an integer, got ${v}`;
    if (p.min !== undefined && v < p.min) return `${name} must be >= ${p.min}, got ${v}`;
    if (p.max !== undefined && v > p.max) return `${name} must be <= ${p.max}, got ${v}`;
    return undefined;
  }
  return typeof v === typeof p.default ? undefined : `${name} must be a ${typeof p.default}, got ${JSON.stringify(v)}`;
}

/** The spec's defaults overridden by `given`; throws the first problem (an unknown key, a bad value) as a message. */
export function resolveParams(spec: ExpertSpec, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  const declared = (spec.params ?? {}) as Record<string, ParamSpec>;
  const out: Record<string, ParamValue> = {};
  for (const k of Object.keys(given)) {
    if (!(k in declared)) throw new Error(`param ${k} is not declared (it declares ${Object.keys(declared).join(', ') || 'none'})`);
  }
  for (const [k, p] of Object.entries(declared)) {
    const v = k in given ? given[k]! : p.default;
    const bad = valueProblem(k, v, p);
    if (bad !== undefined) throw new Error(`param ${bad}`);
    // -0 as 0: a value sent to an expert's thread as JSON arrives as 0, so every path sees the same bits
    out[k] = v === 0 ? 0 : v;
  }
  return out;
}

/** The columns of a panel an expert reads (a BarPanel, or a few of its rows copied elsewhere). */
export type BarRows = Pick<BarPanel, 'nAssets' | 'symbols' | 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'present'>;

/** A failure inside a user's expert at a bar: what the pipeline disables it for. */
export class ExpertFault extends Error {
  constructor(
    readonly expert: string,
    readonly t: number,
    readonly asset: number,
    why: string,
  ) {
    super(`expert ${expert} failed at bar ${t}, asset ${asset}: ${why}`);
    this.name = 'ExpertFault';
  }
}

/** An ExpertSpec with its params, as an Expert: per-asset states, one step per present bar, outputs checked. */
export class SpecExpert implements Expert {
  readonly warmup: number;
  private states: unknown[] = [];
  private seen = new Float64Array(0);
  private last = new Float64Array(0);
  private lastConf = new Float64Array(0);
  private readonly bar = { t: 0, ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, asset: 0, symbol: '' };

  constructor(
    readonly name: string,
    private readonly spec: ExpertSpec,
    readonly params: Readonly<Record<string, ParamValue>>,
  ) {
    const w = typeof spec.warmup === 'function' ? spec.warmup(params) : (spec.warmup ?? 0);
    if (!(Number.isInteger(w) && w >= 0)) throw new Error(`warmup(params) must be an integer >= 0, got ${String(w)}`);
    this.warmup = w;
  }

  reset(ctx: ExpertContext): void {
    const A = ctx.nAssets;
    this.states = Array.from({ length: A }, (_, asset) => (this.spec.init ? this.spec.init(this.params, { ...ctx, asset }) : {}));
    this.seen = new Float64Array(A);
    this.last = new Float64Array(A);
    this.lastConf = new Float64Array(A);
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    this.advanceRows(panel, 0, a, t0, t1, exposure, confidence, outStart);
  }

  /**
   * advance() over rows that hold bars [rowBase, ...) of a panel (bar t at row t - rowBase): what a thread that is sent
   * a few rows at a time runs (userThread.ts), with the same calls as over the whole panel.
   */
  advanceRows(rows: BarRows, rowBase: number, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = rows.nAssets;
    const { open, high, low, close, volume, present, ts } = rows;
    const bar = this.bar;
    const state = this.states[a];
    const step = this.spec.step;
    bar.asset = a;
    bar.symbol = rows.symbols[a]!;
    for (let t = t0; t < t1; t++) {
      const i = (t - rowBase) * A + a;
      if (present[i]) {
        bar.t = t;
        bar.ts = ts[t - rowBase]!;
        bar.open = open[i]!;
        bar.high = high[i]!;
        bar.low = low[i]!;
        bar.close = close[i]!;
        bar.volume = volume[i]!;
        let out: ExpertOutput;
        try {
          out = step(state, bar, this.params);
        } catch (e) {
          throw new ExpertFault(this.name, t, a, `step threw: ${(e as Error)?.message ?? String(e)}`);
        }
        const x = typeof out === 'number' ? out : out?.exposure;
        const c = typeof out === 'number' ? 1 : (out?.confidence ?? 1);
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new ExpertFault(this.name, t, a, `step returned ${describe(out)}, not a finite exposure`);
        if (typeof c !== 'number' || !Number.isFinite(c)) throw new ExpertFault(this.name, t, a, `step returned confidence ${String(c)}, not a finite number`);
        const n = ++this.seen[a]!;
        this.last[a] = n >= this.warmup ? (x < -1 ? -1 : x > 1 ? 1 : x) : 0;
        this.lastConf[a] = n >= this.warmup ? (c < 0 ? 0 : c > 1 ? 1 : c) : 0;
      }
      const o = outStart + (t - t0) * A + a;
      exposure[o] = this.last[a]!;
      confidence[o] = this.lastConf[a]!;
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
