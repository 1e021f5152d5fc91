/**
 * `arena new expert NAME [--dir DIR]`: scaffolds a user's expert in their own folder: NAME.ts (an ExpertSpec to edit),
 * NAME.test.ts (node:test, no Arena import at run time), a tsconfig.json that finds Arena's types, and an
 * arena.config.json entry (experts.custom) so that `arena backtest --config DIR/arena.config.json` runs it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomExpertParams, ERR, arenaError } from '@arena/core';

export interface NewExpertFlags {
  readonly dir?: string;
  readonly force?: boolean;
}

/** The Arena checkout this CLI runs from (its packages hold the types a user's module imports). */
const ARENA_ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

function moduleText(name: string): string {
  return `/**
 * ${name}: a user expert for Arena (docs/experts.md, "Write your own expert").
 * step() sees one bar of one asset at a time, in time order, with that asset's own state; it returns the target
 * exposure in [-1, 1] (clamped) or { exposure, confidence }. Outputs before \`warmup\` bars are held at 0.
 * The template: time-series momentum, the return over \`lookback\` bars in units of its volatility, squashed by tanh.
 */
import type { ExpertSpec } from '@arena/experts';

type Params = { lookback: number; gain: number };
type State = { closes: Float64Array; n: number; sumSq: number; prev: number };

const spec: ExpertSpec<Params, State> = {
  // defaults, and the ranges \`arena optimize\` searches
  params: {
    lookback: { default: 48, min: 5, max: 500, int: true },
    gain: { default: 1, min: 0.1, max: 5, log: true },
  },
  warmup: (p) => p.lookback + 1,
  init: (p) => ({ closes: new Float64Array(p.lookback + 1), n: 0, sumSq: 0, prev: NaN }),
  step(s, bar, p) {
    // --- your logic: from here ---
    const L = p.lookback;
    if (s.prev > 0) {
      const r = Math.log(bar.close / s.prev);
      s.sumSq = 0.98 * s.sumSq + 0.02 * r * r;
    }
    s.prev = bar.close;
    const old = s.closes[s.n % (L + 1)]!;
    s.closes[s.n % (L + 1)] = bar.close;
    s.n++;
    if (s.n <= L || !(old > 0) || !(s.sumSq > 0)) return 0;
    const z = Math.log(bar.close / old) / Math.sqrt(s.sumSq * L);
    return Math.tanh(p.gain * z);
    // --- to here ---
  },
};

export default spec;
`;
}

function testText(name: string): string {
  return `/**
 * Checks of ${name} on a generated market, with Node's own test runner (no Arena import at run time). From the
 * Arena checkout: node --import tsx --test ${name}.test.ts (with the path to this folder).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import spec from './${name}.ts';

function defaults(): Record<string, number | string | boolean> {
  return Object.fromEntries(Object.entries(spec.params ?? {}).map(([k, p]) => [k, p.default]));
}

/** A seeded random walk with volatility bursts: closes, and highs/lows around them. */
function walk(n: number, seed: number): { open: number; high: number; low: number; close: number; volume: number }[] {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out = [];
  let p = 100;
  for (let t = 0; t < n; t++) {
    const o = p;
    p *= Math.exp((t % 500 < 250 ? 0.01 : 0.03) * (rand() - 0.5) * 2);
    out.push({ open: o, high: Math.max(o, p) * 1.001, low: Math.min(o, p) * 0.999, close: p, volume: 1000 + 100 * rand() });
  }
  return out;
}

function run(params: Record<string, number | string | boolean>, bars: ReturnType<typeof walk>): number[] {
  const p = params as never;
  const state = spec.init ? spec.init(p, { nAssets: 1, periodsPerYear: 8760, asset: 0 }) : {};
  return bars.map((b, t) => {
    const out = spec.step(state as never, { ...b, t, ts: t * 3_600_000, asset: 0, symbol: 'TEST' }, p);
    return typeof out === 'number' ? out : out.exposure;
  });
}

test('${name}: finite exposures in [-1, 1] on 2,000 bars', () => {
  const xs = run(defaults(), walk(2000, 7));
  for (const [t, x] of xs.entries()) {
    assert.ok(Number.isFinite(x), \`bar \${t}: \${x}\`);
    assert.ok(Math.abs(x) <= 1, \`bar \${t}: \${x} outside [-1, 1]\`);
  }
});

test('${name}: takes positions (not always flat)', () => {
  const xs = run(defaults(), walk(2000, 11));
  assert.ok(xs.some((x) => Math.abs(x) > 0.05));
});

test('${name}: causal (a bar changed later leaves earlier outputs alone)', () => {
  const bars = walk(1000, 3);
  const a = run(defaults(), bars);
  bars[900] = { ...bars[900]!, close: bars[900]!.close * 1.5 };
  const b = run(defaults(), bars);
  assert.deepEqual(a.slice(0, 900), b.slice(0, 900));
});
`;
}

function tsconfigText(dir: string): string {
  const experts = relative(dir, join(ARENA_ROOT, 'packages/experts/src/index.ts'));
  const core = relative(dir, join(ARENA_ROOT, 'packages/core/src/index.ts'));
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [relative(dir, join(ARENA_ROOT, 'node_modules/@types'))],
        paths: { '@arena/experts': [experts], '@arena/core': [core] },
      },
    },
    null,
    2,
  )}\n`;
}

/** Adds the expert to DIR/arena.config.json (created when absent); returns what it did. */
function addToConfig(dir: string, name: string): string {
  const file = join(dir, 'arena.config.json');
  const entry = { name, module: `./${name}.ts` };
  if (!existsSync(file)) {
    writeFileSync(file, `${JSON.stringify({ router: { mode: 'equal' }, experts: { custom: [entry] } }, null, 2)}\n`);
    return `wrote ${file}`;
  }
  let config: { experts?: { custom?: { name: string }[] } };
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as typeof config;
  } catch (e) {
    throw arenaError(ERR.CONFIG, `${file} is not valid JSON (${(e as Error).message}); add ${JSON.stringify(entry)} to experts.custom yourself`);
  }
  config.experts ??= {};
  config.experts.custom ??= [];
  if (config.experts.custom.some((c) => c.name === name)) return `${file} already names ${name}`;
  config.experts.custom.push(entry);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return `added ${name} to experts.custom in ${file}`;
}

export function newExpertCommand(name: string, flags: NewExpertFlags): void {
  const checked = CustomExpertParams.shape.name.safeParse(name);
  if (!checked.success) throw arenaError(ERR.CLI_ARG, 'NAME', `"${name}" ${checked.error.issues[0]!.message}`);
  const dir = resolve(flags.dir ?? '.');
  mkdirSync(dir, { recursive: true });
  const modulePath = join(dir, `${name}.ts`);
  const testPath = join(dir, `${name}.test.ts`);
  for (const p of [modulePath, testPath]) {
    if (existsSync(p) && flags.force !== true) throw arenaError(ERR.CLI_ARG, 'NAME', `${p} exists (pass --force to overwrite it)`);
  }
  writeFileSync(modulePath, moduleText(name));
  writeFileSync(testPath, testText(name));
  const lines = [`wrote ${modulePath}`, `wrote ${testPath}`];
  const tsconfig = join(dir, 'tsconfig.json');
  if (!existsSync(tsconfig)) {
    writeFileSync(tsconfig, tsconfigText(dir));
    lines.push(`wrote ${tsconfig} (finds Arena's types for your editor)`);
  }
  lines.push(addToConfig(dir, name));
  const cfg = join(dir, 'arena.config.json');
  lines.push(
    '',
    'next (from the Arena checkout):',
    `  edit the step() of ${modulePath}`,
    `  node --import tsx --test ${testPath}`,
    `  npm run arena -- backtest --config ${cfg}`,
    `  npm run arena -- paper --config ${cfg} --speed max --exit-at-end --db ${join(dir, 'paper.db')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}
