/**
 * One writer per ledger: the paper daemon holds an exclusive SQLite lock on `<ledger>.lock` (a sidecar database
 * file) for as long as it runs. The operating system drops the lock when the process ends, however it ends (SIGKILL,
 * a crash, a reboot), so there is no stale lock to guess about, and two starters cannot both win. Who holds it (pid,
 * host, since) is written beside it, in `<ledger>.lock.owner`, for the message a second daemon gives.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface LedgerLock {
  /** the previous holder's owner record, when it ended without releasing the lock (a SIGKILL, a crash) */
  readonly previous: { pid?: number; host?: string; since?: string } | undefined;
  release(): void;
}

function readOwner(path: string): { pid?: number; host?: string; since?: string } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { pid?: number; host?: string; since?: string };
  } catch {
    return undefined;
  }
}

/** Takes the lock of the ledger file, or throws an Error saying which daemon holds it. */
export function lockLedger(ledgerPath: string): LedgerLock {
  const path = `${ledgerPath}.lock`;
  const ownerPath = `${path}.owner`;
  mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    // no busy wait: a held lock answers at once
    db = new Database(path, { timeout: 0 });
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') throw new Error(`cannot take the lock ${path}: ${(e as Error).message}`);
    const o = readOwner(ownerPath);
    const who = o === undefined ? 'another daemon' : `another daemon (pid ${o.pid ?? '?'} on ${o.host ?? '?'}, since ${o.since ?? '?'})`;
    throw new Error(`${ledgerPath} is in use by ${who}: stop it first, or use another --db`);
  }
  const previous = readOwner(ownerPath);
  writeFileSync(ownerPath, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
  let held = true;
  return {
    previous,
    release() {
      if (!held) return;
      held = false;
      rmSync(ownerPath, { force: true });
      db.close();
    },
  };
}
