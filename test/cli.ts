/** Runs the `arena` CLI in a child process, as a user would, and returns its exit code and output. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function arena(args: string[], cwd: string = ROOT, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${ROOT}apps/trader/src/main.ts`, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ARENA_PROGRESS: '0', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
