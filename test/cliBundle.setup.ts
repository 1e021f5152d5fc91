/**
 * vitest globalSetup: bundles the `arena` CLI once per test run (esbuild, ~0.4 s), and the tests start that bundle
 * (test/cli.ts) instead of `node --import tsx apps/trader/src/main.ts`. The tests start the CLI a few hundred times,
 * and under tsx each start took ~1.4 s on this machine (tsx's hooks resolve and compile every module, tfjs's
 * included) against ~0.6 s for the bundle: minutes of a CI run that is bounded at 20.
 *
 * The bundle is the same source: the workspace packages are bundled, every npm package stays an import (resolved
 * from the repository's node_modules, which is why the bundle is written under node_modules/.cache), and each
 * source file keeps its own `import.meta.url`, so the worker entries (*.mjs), data folders and models it finds
 * beside itself are the checkout's, as under tsx. What users run is still tested as they run it: readme.e2e runs
 * the README's npm and npx commands, userExpert.e2e the installed bin; ARENA_TEST_CLI=tsx runs every test through
 * tsx.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const MARK = 'ARENA_TEST_CLI_BUNDLE';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export default async function setup(): Promise<() => void> {
  if (process.env[MARK] !== undefined || process.env.ARENA_TEST_CLI === 'tsx') return () => undefined;
  const cache = join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'arena-cli-'));
  const outfile = join(dir, 'main.mjs');
  await build({
    entryPoints: [join(ROOT, 'apps/trader/src/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    plugins: [
      {
        name: 'arena-cli',
        setup(b) {
          // npm packages stay imports; the workspace's (@arena/*) and relative ones are bundled
          b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@arena/') ? undefined : { path: a.path, external: true }));
          // each file's import.meta.url stays its own (new URL('./x.mjs', import.meta.url) finds the checkout's file)
          b.onLoad({ filter: /\.ts$/ }, (a) => {
            if (a.path.includes('/node_modules/')) return undefined;
            const url = JSON.stringify(pathToFileURL(a.path).href);
            return { contents: readFileSync(a.path, 'utf8').replaceAll('import.meta.url', url), loader: 'ts' };
          });
        },
      },
    ],
  });
  process.env[MARK] = outfile;
  return () => rmSync(dir, { recursive: true, force: true });
}
