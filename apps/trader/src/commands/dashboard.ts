/** `arena dashboard --db FILE`: the dashboard on its own over a ledger file, read-only. */
import { existsSync } from 'node:fs';
import { E, arenaError } from '@arena/core';
import { createDashboard } from '@arena/dashboard';
import { Ledger } from '@arena/engine';
import { parsePort } from './paper.ts';

export async function dashboardCommand(flags: { db: string; port: string }): Promise<void> {
  if (!existsSync(flags.db)) throw arenaError(E.LEDGER, `--db ${flags.db}: no such ledger file`);
  const at = parsePort(flags.port);
  let ledger: Ledger;
  try {
    ledger = Ledger.open(flags.db, { readOnly: true });
  } catch (e) {
    throw arenaError(E.LEDGER, (e as Error).message);
  }
  const app = await createDashboard({ ledger, mode: 'ledger', backend: 'none', ...(process.env['ARENA_DASHBOARD_TOKEN'] ? { token: process.env['ARENA_DASHBOARD_TOKEN'] } : {}) });
  await app.listen({ host: at.host, port: at.port });
  const port = (app.server.address() as { port: number }).port;
  process.stderr.write(`dashboard (read-only) on http://${at.host}:${port} over ${ledger.path}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  ledger.close();
}
