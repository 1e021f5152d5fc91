/** `arena contest report`: the contest's leaderboard over time, read from a ledger. */
import { ERR, arenaError } from '@arena/core';
import { contestTables, readLeaderboard, writeContestReport } from '@arena/engine';
import { parseNumber } from '../configFile.ts';
import { openLedgerForReading } from '../ledgerFile.ts';

export interface ContestReportFlags {
  db: string;
  run?: string;
  top: string;
  out: string;
}

export async function contestReportCommand(flags: ContestReportFlags): Promise<void> {
  const top = parseNumber('--top', flags.top);
  if (!(Number.isInteger(top) && top >= 1)) throw arenaError(ERR.CONFIG, `--top must be an integer >= 1, got ${flags.top}`);
  const runId = flags.run === undefined ? undefined : parseNumber('--run', flags.run);
  if (runId !== undefined && !(Number.isInteger(runId) && runId >= 1)) throw arenaError(ERR.CONFIG, `--run must be a ledger run id (integer >= 1), got ${flags.run}`);
  const ledger = openLedgerForReading(flags.db);
  try {
    let lb;
    try {
      lb = readLeaderboard(ledger, runId);
    } catch (e) {
      throw arenaError(ERR.CONFIG, (e as Error).message);
    }
    process.stdout.write(`${contestTables(lb, top)}\n`);
    const written = writeContestReport(flags.out, lb);
    process.stderr.write(`run ${lb.run.id} (${lb.run.kind}, ${lb.run.source}): ${lb.agents.length} agents, ${lb.frames.length} windows, ${lb.counts.proposals} proposals, ${lb.counts.outcomes} outcomes; wrote ${written.json}, ${written.html}\n`);
  } finally {
    ledger.close();
  }
}
