/**
 * vitest globalSetup: every test run gets one temporary folder of its own, as TMPDIR, which the test workers and the
 * CLI processes they start inherit (os.tmpdir() reads it), and which is removed when the run ends, so no test leaves
 * ledgers, CSV files or reports behind in the system's /tmp, pass or fail. ARENA_KEEP_TEST_TMP=1 keeps it (its
 * path is printed) to look at what a failing test wrote. Each project of vitest.config.ts runs the setup again:
 * the first call makes the folder, the others find it (a nested folder's longer path would break Chromium's
 * socket, whose path is limited to 107 bytes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'ARENA_TEST_TMPDIR';

export default function setup(): () => void {
  if (process.env[MARK] !== undefined) return () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'arena-t-'));
  process.env[MARK] = dir;
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.ARENA_KEEP_TEST_TMP === '1') console.log(`test files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
