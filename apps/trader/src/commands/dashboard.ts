/** `arena dashboard --db FILE`: the dashboard on its own over a ledger file, read-only. */
import { createDashboard } from '@arena/dashboard';
import { openLedgerForReading } from '../ledgerFile.ts';
import { listenOn, parseAddress } from '../ops/address.ts';

export async function dashboardCommand(flags: { db: string; port: string }): Promise<void> {
  const at = parseAddress(flags.port, '--port');
  const ledger = openLedgerForReading(flags.db);
  const app = await createDashboard({ ledger, mode: 'ledger', backend: 'none', ...(process.env['ARENA_DASHBOARD_TOKEN'] ? { token: process.env['ARENA_DASHBOARD_TOKEN'] } : {}) });
  try {
    await listenOn(at, '--port', () => app.listen({ host: at.host, port: at.port }));
  } catch (e) {
    await app.close();
    ledger.close();
    throw e;
  }
  const port = (app.server.address() as { port: number }).port;
  process.stderr.write(`dashboard (read-only) on http://${at.host}:${port} over ${ledger.path}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  ledger.close();
  process.stderr.write('dashboard stopped\n');
}
