/**
 * One writer per ledger: the paper daemon holds `<ledger>.lock` (its pid and start time) while it runs, so a second
 * daemon on the same `--db` stops with one line instead of stepping the same run beside the first. A lock whose
 * process is gone (a SIGKILL, a crash) is stale and taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export interface LedgerLock {
  readonly path: string;
  /** a stale lock of a dead process was taken over (its pid) */
  readonly tookOverFrom: number | undefined;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of the ledger file, or throws an Error saying which process holds it. */
export function lockLedger(ledgerPath: string): LedgerLock {
  const path = `${ledgerPath}.lock`;
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      closeSync(fd);
      let held = true;
      return {
        path,
        tookOverFrom,
        release() {
          if (!held) return;
          held = false;
          rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the lock ${path}: ${(e as Error).message}`);
    }
    let holder: { pid?: number; since?: string } = {};
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
    } catch {
      // written half by a process killed at that moment: stale
    }
    if (typeof holder.pid === 'number' && holder.pid !== process.pid && alive(holder.pid)) {
      throw new Error(`${ledgerPath} is in use by another daemon (pid ${holder.pid}, since ${holder.since ?? '?'}): stop it first, or use another --db (if no such daemon runs, delete ${path})`);
    }
    tookOverFrom = holder.pid;
    rmSync(path, { force: true });
  }
  throw new Error(`cannot take the lock ${path}: another process took it at the same moment`);
}
