/**
 * Where market data lives. The data root is ARENA_DATA_DIR when set, else the repository's `data/` sample; a
 * relative `--data` folder that is not found from the working directory is looked up under the root, so
 * `--data crypto/binance/spot` works from anywhere, on the sample or (with ARENA_DATA_DIR) on a full set.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERR } from './codes.ts';
import { arenaError } from './errors.ts';

/** The small real sample committed with the repository (data/README.md). */
export const SAMPLE_DATA_DIR = fileURLToPath(new URL('../../../data', import.meta.url));

/** ARENA_DATA_DIR (resolved against the working directory) or the repository's sample. */
export function dataRoot(): string {
  const env = process.env['ARENA_DATA_DIR'];
  return env ? resolve(env) : SAMPLE_DATA_DIR;
}

/** A data folder as given when it exists there, else under the data root; ARENA_E_DATA_DIR_MISSING names both places. */
export function resolveDataDir(dir: string, cwd: string = process.cwd()): string {
  const direct = resolve(cwd, dir);
  if (existsSync(direct) || isAbsolute(dir)) return direct;
  const underRoot = join(dataRoot(), dir);
  if (existsSync(underRoot)) return underRoot;
  throw arenaError(ERR.DATA_DIR_MISSING, `${dir} (looked in ${direct} and under the data root, ${underRoot})`);
}

/** The full shared research set (ARENA_DATA_DIR, else ../shared/data when that folder exists), for tests and benches. */
export function sharedDataDir(cwd: string = process.cwd()): string | undefined {
  const env = process.env['ARENA_DATA_DIR'];
  if (env) return existsSync(env) ? resolve(env) : undefined;
  for (const candidate of [resolve(cwd, '../shared/data'), resolve(cwd, '../../shared/data'), resolve(cwd, '../../../shared/data')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
