/** `arena ledger summary`: what a paper run holds: orders, fills, final equity, the last bar stepped. */
import { ERR, arenaError } from '@arena/core';
import { ledgerSummary } from '@arena/engine';
import { parseNumber } from '../configFile.ts';
import { openLedgerForReading } from '../ledgerFile.ts';

export async function ledgerSummaryCommand(flags: { db: string; run?: string; json?: boolean }): Promise<void> {
  const runId = flags.run === undefined ? undefined : parseNumber('--run', flags.run);
  const ledger = openLedgerForReading(flags.db);
  try {
    let s;
    try {
      s = ledgerSummary(ledger, runId);
    } catch (e) {
      throw arenaError(ERR.LEDGER, (e as Error).message);
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else
      process.stdout.write(
        `paper run ${s.run} (uid ${s.runUid}, ${s.status}, ${s.resumes} restarts): ${s.bars} bars stepped, last ${s.lastTs ?? 'none'}; ${s.orders} orders, ${s.fills} fills; final equity ${s.finalEquity === null ? 'n/a' : s.finalEquity.toFixed(2)}; ${s.events} events` +
          `\npositions closed by: ${Object.entries(s.exitsByReason).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ') || 'none closed'}; funding ${s.funding.toFixed(2)}; liquidations ${s.liquidations}\n` +
          (s.receiveLag === null ? '' : `bars received after their close: p50 ${s.receiveLag.p50S.toFixed(1)} s, p99 ${s.receiveLag.p99S.toFixed(1)} s, max ${s.receiveLag.maxS.toFixed(1)} s (${s.receiveLag.steps} steps)\n`),
      );
  } finally {
    ledger.close();
  }
}
