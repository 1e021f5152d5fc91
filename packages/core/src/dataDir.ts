/** Where the shared market data lives: ARENA_DATA_DIR, else ../shared/data when that folder exists. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function sharedDataDir(cwd: string = process.cwd()): string | undefined {
  const env = process.env['ARENA_DATA_DIR'];
  if (env) return existsSync(env) ? resolve(env) : undefined;
  for (const candidate of [resolve(cwd, '../shared/data'), resolve(cwd, '../../shared/data'), resolve(cwd, '../../../shared/data')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
