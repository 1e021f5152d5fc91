/** Runs the `arena` CLI in a child process, as a user would, and returns its exit code and output. */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function arena(args: string[], cwd: string = ROOT, env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ARENA_PROGRESS: '0', ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const MAIN = `${ROOT}apps/trader/src/main.ts`;
/**
 * node's arguments before the command's: the run's bundle of the CLI (test/cliBundle.setup.ts), or the CLI through
 * tsx (ARENA_TEST_CLI=tsx, or a test started without the setup)
 */
export const CLI: readonly string[] = process.env.ARENA_TEST_CLI_BUNDLE !== undefined ? [process.env.ARENA_TEST_CLI_BUNDLE] : ['--import', 'tsx', MAIN];
const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Starts `arena ...args` in the background (a daemon, a feed) and registers it, so that `killTracked` (a file's
 * afterAll) stops it if the test failed before it did: a daemon left stepping would take the CPU from the files after
 * it, and fail their latency bounds too.
 */
export function spawnArena(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ARENA_PROGRESS: '0', ...env } });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGKILLs every daemon spawnArena started that is still running. */
export function killTracked(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  running.clear();
}
