/** Controls (pause, resume, flatten): only in the daemon, only with the bearer token; everything else is read-only. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';

/**
 * Each records its control for the next step, settling once it is durable (the daemon: committed to the ledger); a
 * string says why none will come (the request is refused with 409).
 */
export interface Controls {
  pause(): string | undefined | Promise<string | undefined>;
  resume(): string | undefined | Promise<string | undefined>;
  flatten(): string | undefined | Promise<string | undefined>;
}

export interface ControlOptions {
  readonly token: string | undefined;
  readonly controls: Controls | undefined;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const controlRoutes: FastifyPluginAsync<ControlOptions> = async (app, { token, controls }) => {
  app.post<{ Params: { action: 'pause' | 'resume' | 'flatten' } }>(
    '/api/control/:action',
    { schema: { params: { type: 'object', required: ['action'], properties: { action: { type: 'string', enum: ['pause', 'resume', 'flatten'] } } } } },
    async (req, reply) => {
      const auth = req.headers.authorization ?? '';
      const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (token === undefined || given === '' || !sameToken(given, token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ statusCode: 401, error: 'Unauthorized', message: token === undefined ? 'controls are disabled: no token configured (ARENA_DASHBOARD_TOKEN)' : 'missing or wrong bearer token' });
      }
      if (controls === undefined) return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: 'this dashboard reads a ledger file: no daemon to control' });
      const refused = await controls[req.params.action]();
      if (refused !== undefined) return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: `${req.params.action} not taken: ${refused}` });
      return { ok: true, action: req.params.action };
    },
  );
};
