/**
 * The dashboard server (fastify): the read-only API, the controls, the live WebSocket and the web UI, over a
 * ledger. Inside the daemon (`arena paper --dashboard PORT`) it gets the controls; on its own
 * (`arena dashboard --db FILE`) it only reads. Binds 127.0.0.1 unless told otherwise.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Ledger } from '@arena/engine';
import { DashboardData } from './data.ts';
import { apiRoutes } from './routes/api.ts';
import { type Controls, controlRoutes } from './routes/control.ts';
import { type OpsEndpoints, opsRoutes } from './routes/ops.ts';
import { streamRoutes } from './routes/stream.ts';
import { uiRoutes } from './routes/ui.ts';

export interface DashboardOptions {
  readonly ledger: Ledger;
  readonly mode: 'paper' | 'ledger';
  readonly backend: string;
  /** bearer token for the controls (ARENA_DASHBOARD_TOKEN); absent: controls disabled */
  readonly token?: string;
  readonly controls?: Controls;
  /** the daemon's /healthz and /metrics, served here so that one address answers for both */
  readonly ops?: OpsEndpoints;
  /** how often the stream looks for new steps, ms */
  readonly pollMs?: number;
  /** serve the web UI (built with Vite); tests of the API alone skip it */
  readonly ui?: boolean;
}

export async function createDashboard(o: DashboardOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } } });
  const data = new DashboardData(o.ledger);
  const startedAt = Date.now();
  // schema failures answer 400 with the validator's message, naming the parameter
  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number }, _req, reply) => {
    if (err.validation) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
    const code = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    return reply.code(code).send({ statusCode: code, error: code === 500 ? 'Internal Server Error' : 'Error', message: err.message });
  });
  await app.register(apiRoutes, { data, info: () => ({ mode: o.mode, backend: o.backend, startedAt }) });
  await app.register(controlRoutes, { token: o.token, controls: o.controls });
  if (o.ops) await app.register(opsRoutes, o.ops);
  await app.register(streamRoutes, { data, pollMs: o.pollMs ?? 300 });
  if (o.ui !== false) await app.register(uiRoutes, {});
  return app;
}
