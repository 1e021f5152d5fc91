/**
 * Each workspace's package.json says what its code imports: every package its sources import is declared (in
 * dependencies; a test file may also use devDependencies or the root's test tools), nothing declared goes unused,
 * and every `exports` and `bin` entry points at a file that exists.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli.ts';

interface Manifest {
  name: string;
  exports?: Record<string, string>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const read = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
const root = read(join(ROOT, 'package.json'));
const BUILTIN = new Set(builtinModules);

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' || f === 'dist' ? [] : files(p);
    return /\.(ts|js|mjs)$/.test(f) ? [p] : [];
  });
}

/** The npm package a bare specifier names (`@scope/name/sub` -> `@scope/name`); undefined for relative and built-in ones. */
export function packageOf(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return undefined;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  return BUILTIN.has(name) ? undefined : name;
}

/** Packages imported by a source text: static imports and re-exports, side-effect imports, import() of a literal. */
export function importsOf(text: string): Set<string> {
  const out = new Set<string>();
  const patterns = [/(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g, /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g, /\bimport\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) {
    const p = packageOf(m[1]!);
    if (p) out.add(p);
  }
  return out;
}

const isTestFile = (path: string) => /\.test\.ts$/.test(path);
/** Type declarations (`@types/x`) count as used when `x` is. */
const usedAs = (dep: string) => (dep.startsWith('@types/') ? dep.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2') : dep);

const workspaces = ['packages', 'apps'].flatMap((top) => readdirSync(join(ROOT, top)).map((d) => join(ROOT, top, d))).filter((d) => existsSync(join(d, 'package.json')));

describe('package manifests against the imports of their sources', () => {
  it('parses imports the way the sources write them', () => {
    const text = "import { a } from '@arena/core';\nimport type { B } from 'kafkajs';\nexport * from './x.ts';\nimport 'side-effect';\nconst t = await import('@tensorflow/tfjs');\nimport { join } from 'node:path';\nimport { readFileSync } from 'fs';";
    expect([...importsOf(text)].sort()).toEqual(['@arena/core', '@tensorflow/tfjs', 'kafkajs', 'side-effect']);
  });

  it('the root (bench/, test/): every package declared, or one of the workspaces', () => {
    const names = new Set(workspaces.map((d) => read(join(d, 'package.json')).name));
    const declared = new Set([...Object.keys(root.dependencies ?? {}), ...Object.keys(root.devDependencies ?? {})]);
    const used = new Set<string>();
    for (const f of [...files(join(ROOT, 'bench')), ...files(join(ROOT, 'test')), join(ROOT, 'vitest.config.ts')]) for (const p of importsOf(readFileSync(f, 'utf8'))) used.add(p);
    expect([...used].filter((p) => !names.has(p) && !declared.has(p))).toEqual([]);
  });

  for (const dir of workspaces) {
    const m = read(join(dir, 'package.json'));
    it(`${m.name} (${relative(ROOT, dir)})`, () => {
      const runtime = new Set<string>();
      const tests = new Set<string>();
      for (const f of [...files(join(dir, 'src')), ...files(join(dir, 'bin')), ...files(join(dir, 'ui'))]) {
        for (const p of importsOf(readFileSync(f, 'utf8'))) (isTestFile(f) ? tests : runtime).add(p);
      }
      const deps = new Set(Object.keys(m.dependencies ?? {}));
      const dev = new Set(Object.keys(m.devDependencies ?? {}));
      const peers = new Set(Object.keys(m.peerDependencies ?? {}));
      const rootTools = new Set(Object.keys(root.devDependencies ?? {}));
      runtime.delete(m.name);
      tests.delete(m.name);
      const undeclared = [...runtime].filter((p) => !deps.has(p) && !peers.has(p));
      const undeclaredInTests = [...tests].filter((p) => !deps.has(p) && !dev.has(p) && !peers.has(p) && !rootTools.has(p));
      const unused = [...deps].filter((d) => !runtime.has(usedAs(d)));
      const unusedDev = [...dev].filter((d) => !tests.has(usedAs(d)) && !runtime.has(usedAs(d)));
      const runtimeInDev = [...dev].filter((d) => runtime.has(d));
      expect({ undeclared, undeclaredInTests, unused, unusedDev, runtimeInDev }).toEqual({ undeclared: [], undeclaredInTests: [], unused: [], unusedDev: [], runtimeInDev: [] });
      for (const [entry, target] of Object.entries({ ...(m.exports ?? {}), ...(m.bin ?? {}) })) expect(existsSync(join(dir, target)), `${entry} -> ${target}`).toBe(true);
    });
  }

  it('no SQL outside the engine: apps read and write the ledger through its modules (ledger/reader.ts, paper/store.ts)', () => {
    const offenders: string[] = [];
    for (const top of ['apps']) {
      for (const f of files(join(ROOT, top))) {
        if (isTestFile(f)) continue;
        const text = readFileSync(f, 'utf8');
        if (/\bdb\.(prepare|exec)\(|['"`]\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s/.test(text)) offenders.push(relative(ROOT, f));
      }
    }
    expect(offenders).toEqual([]);
  });
});
