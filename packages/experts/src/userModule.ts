/**
 * Loads the user's experts (config experts.custom): imports each module, checks its default export (an ExpertSpec)
 * and the config's params against the module's declaration, and runs it once over a small generated market (the
 * probe) so a module that throws or returns garbage is refused before anything runs. Every refusal is one line,
 * ARENA_E_EXPERT_MODULE, naming the module and why.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BarPanel, type CustomExpertParams, ERR, Rng, arenaError, messageLine } from '@arena/core';
import { type ExpertSpec, ExpertFault, type ParamValue, SpecExpert, resolveParams, specProblem } from './sdk.ts';
import { UserExpertThread } from './userThread.ts';

/** A loaded user expert: builds a fresh Expert per run. */
export interface UserExpert {
  readonly name: string;
  /** the module's absolute path */
  readonly module: string;
  readonly spec: ExpertSpec;
  readonly params: Readonly<Record<string, ParamValue>>;
  create(): SpecExpert;
}

const PROBE_BARS = 400;

/** A random walk of two assets with a gap, every field sane: what every expert must survive. */
function probePanel(): BarPanel {
  const rng = new Rng(1);
  const T = PROBE_BARS;
  const ts = Float64Array.from({ length: T }, (_, t) => Date.UTC(2024, 0, 1) + t * 3_600_000);
  const panel = new BarPanel(['PROBE1', 'PROBE2'], '1h', ts);
  for (let a = 0; a < 2; a++) {
    let p = 100 * (a + 1);
    for (let t = 0; t < T; t++) {
      if (a === 1 && t >= 150 && t < 160) continue; // a missing stretch
      const i = t * 2 + a;
      const o = p;
      p *= Math.exp(0.01 * rng.normal());
      panel.open[i] = o;
      panel.close[i] = p;
      panel.high[i] = Math.max(o, p) * (1 + 0.002 * Math.abs(rng.normal()));
      panel.low[i] = Math.min(o, p) * (1 - 0.002 * Math.abs(rng.normal()));
      panel.volume[i] = 1000 * Math.exp(0.3 * rng.normal());
      panel.present[i] = 1;
    }
  }
  return panel;
}

/** Resolves a module path: absolute as is, else against `baseDir` (the config file's folder) or the working directory. */
export function resolveModulePath(module: string, baseDir?: string): string {
  return isAbsolute(module) ? module : resolve(baseDir ?? process.cwd(), module);
}

export interface LoadOptions {
  /** the folder relative module paths resolve against (the config file's); absent: the working directory */
  readonly baseDir?: string;
  /**
   * where the probe runs: a number > 0 runs it on a thread of the module's own with that limit per bar in ms
   * (experts.userTimeoutMs: a step that never returns is refused, not a hang); 0 or absent: on this thread;
   * false: no probe (the thread that loads a module the caller has probed already)
   */
  readonly probe?: number | false;
}

/** Imports, checks and probes one user expert; throws ARENA_E_EXPERT_MODULE naming the module. */
export async function loadUserExpert(entry: CustomExpertParams, options: LoadOptions = {}): Promise<UserExpert> {
  const baseDir = options.baseDir;
  const path = resolveModulePath(entry.module, baseDir);
  const fail = (why: string) => arenaError(ERR.EXPERT_MODULE, `${entry.name} (${path})`, why);
  if (!existsSync(path)) throw fail('the file does not exist');
  if (!/\.(m?ts|m?js)$/.test(path)) throw fail('must be a .ts, .mts, .js or .mjs file');
  let mod: Record<string, unknown>;
  try {
    if (/\.[mc]?ts$/.test(path)) await typeScriptModules();
    mod = esModuleOf((await import(pathToFileURL(path).href)) as Record<string, unknown>);
  } catch (e) {
    throw fail(`does not import: ${oneLine(e)}`);
  }
  if (!('default' in mod) || mod['default'] === undefined) {
    const named = Object.keys(mod).filter((k) => k !== 'default');
    throw fail(`has no default export${named.length > 0 ? ` (it exports ${named.join(', ')}; export the spec as default)` : ''}`);
  }
  const spec = mod['default'] as ExpertSpec;
  const bad = specProblem(spec);
  if (bad !== undefined) throw fail(bad);
  let params: Record<string, ParamValue>;
  try {
    params = resolveParams(spec, entry.params);
  } catch (e) {
    throw fail(`config experts.custom[${entry.name}].params: ${oneLine(e)}`);
  }
  const create = () => new SpecExpert(entry.name, spec, params);
  const user = { name: entry.name, module: path, spec, params, create };
  const where = options.probe ?? 0;
  if (where === 0) probe(create, fail);
  else if (where !== false) probeOnThread(user, where, fail);
  return user;
}

let typeScript: Promise<void> | undefined;

/**
 * A user's module in TypeScript: tsx compiles it. The CLI started as `node --import tsx` (npm run arena, npx arena)
 * has tsx's hooks already; a process started without them (the bundled CLI the tests start, a thread of such a
 * process) registers them here, once, on the first .ts module, and pays for them only then.
 */
function typeScriptModules(): Promise<void> {
  typeScript ??= /\btsx\b/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '))
    ? Promise.resolve()
    : Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
        esm.register();
        cjs.register();
      });
  return typeScript;
}

/**
 * The module's exports as an ES module's. A .ts module outside a "type": "module" package is compiled to CommonJS;
 * through hooks registered at run time (not `--import tsx`) import() then gives its module.exports as `default`,
 * marked __esModule, whose own `default` is the spec: that object is the module.
 */
function esModuleOf(m: Record<string, unknown>): Record<string, unknown> {
  const d = m['default'];
  return d !== null && typeof d === 'object' && (d as { __esModule?: unknown }).__esModule === true ? (d as Record<string, unknown>) : m;
}

/** Every configured user expert, in order; the first failure throws. */
export async function loadUserExperts(entries: readonly CustomExpertParams[], options: LoadOptions = {}): Promise<UserExpert[]> {
  const out: UserExpert[] = [];
  for (const e of entries) out.push(await loadUserExpert(e, options));
  return out;
}

/** The probe on the module's own thread, bar by bar with the limit: the same checks as probe(), and a hang is refused too. */
function probeOnThread(user: UserExpert, timeoutMs: number, fail: (why: string) => Error): void {
  const panel = probePanel();
  const thread = new UserExpertThread(user, { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() }, timeoutMs);
  try {
    const fault = thread.run(panel, 0, panel.nTimes, new Float64Array(panel.nTimes * panel.nAssets), 0);
    const why = fault?.reason.replace(/^expert \S+ /, '');
    if (fault?.start === true) throw fail(why!);
    if (fault !== undefined) throw fail(`on a probe market of ${PROBE_BARS} generated bars, ${why}`);
  } finally {
    thread.close();
  }
}

/** Runs a fresh instance over the probe market; any throw or bad output is the module's error. */
function probe(create: () => SpecExpert, fail: (why: string) => Error): void {
  const panel = probePanel();
  const n = panel.nTimes * panel.nAssets;
  const exposure = new Float64Array(n);
  const confidence = new Float64Array(n);
  let expert: SpecExpert;
  try {
    expert = create();
    expert.reset({ nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() });
  } catch (e) {
    throw fail(`init failed: ${oneLine(e)}`);
  }
  try {
    for (let a = 0; a < panel.nAssets; a++) expert.advance(panel, a, 0, panel.nTimes, exposure, confidence, 0);
  } catch (e) {
    if (e instanceof ExpertFault) throw fail(`on a probe market of ${PROBE_BARS} generated bars, ${e.message.replace(/^expert \S+ /, '')}`);
    throw fail(`probe run failed: ${oneLine(e)}`);
  }
}

const oneLine = messageLine;
