/** `arena dashboard --db FILE`: the dashboard on its own over a ledger file, read-only. */
import { createDashboard } from '@arena/dashboard';
import { openLedgerForReading } from '../ledgerFile.ts';
import { parsePort } from './paper.ts';

export async function dashboardCommand(flags: { db: string; port: string }): Promise<void> {
  const at = parsePort(flags.port);
  const ledger = openLedgerForReading(flags.db);
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
