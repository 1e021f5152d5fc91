/** Opening an existing ledger file for reading from a command: a missing or unreadable file is ARENA_E_LEDGER naming --db. */
import { existsSync } from 'node:fs';
import { ERR, arenaError } from '@arena/core';
import { Ledger } from '@arena/engine';

export function openLedgerForReading(path: string): Ledger {
  if (!existsSync(path)) throw arenaError(ERR.LEDGER, `--db ${path}: no such ledger file`);
  try {
    return Ledger.open(path, { readOnly: true });
  } catch (e) {
    throw arenaError(ERR.LEDGER, (e as Error).message);
  }
}
