/** The daemon's operations endpoints on the dashboard's own address: GET /healthz (JSON) and GET /metrics (Prometheus text). */
import type { FastifyPluginAsync } from 'fastify';

export interface OpsEndpoints {
  readonly health: () => Record<string, unknown>;
  readonly metrics: () => string;
}

export const opsRoutes: FastifyPluginAsync<OpsEndpoints> = async (app, { health, metrics }) => {
  app.get('/healthz', async () => health());
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(metrics()));
};
