/** The read-only API: status, books, experts/router, contest, features, decisions. Every input has a JSON schema. */
import type { FastifyPluginAsync } from 'fastify';
import { timeframeMs } from '@arena/core';
import type { DashboardData, RunView } from '../data.ts';

export interface ApiOptions {
  readonly data: DashboardData;
  /** mode and compute backend, for the status bar */
  readonly info: () => { mode: 'paper' | 'ledger'; backend: string; startedAt: number };
}

const limit = (max: number, dflt: number) => ({ type: 'integer', minimum: 1, maximum: max, default: dflt }) as const;
const since = { type: 'integer', minimum: 0, default: 0 } as const;

export const apiRoutes: FastifyPluginAsync<ApiOptions> = async (app, { data, info }) => {
  /** The run the request is about; 404 while the ledger holds none. */
  const runOr404 = (reply: { code: (n: number) => { send: (b: unknown) => unknown } }): RunView | undefined => {
    const run = data.run();
    if (run === undefined) reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'the ledger holds no paper run yet' });
    return run;
  };
  const symbolIndex = (run: RunView, symbol: string) => run.symbols.indexOf(symbol);

  app.get('/api/status', async () => {
    const run = data.run();
    const i = info();
    const s = run ? data.progress(run) : undefined;
    const lastTs = s?.lastTs ?? null;
    const replay = run === undefined || run.source.startsWith('replay');
    return {
      mode: i.mode,
      backend: i.backend,
      symbols: run?.symbols ?? [],
      timeframe: run?.timeframe ?? null,
      source: run?.source ?? null,
      run: run?.id ?? null,
      status: s?.status ?? null,
      steps: s?.steps ?? 0,
      lastTs,
      equity: s?.equity ?? null,
      uptimeS: Math.round((Date.now() - i.startedAt) / 1000),
      // a replay runs on the clock of its bars, so a lag against the wall clock says nothing: it is reported as such;
      // live and Kafka runs report how far the last bar's close lies behind now
      clock: replay ? 'replay' : 'wall',
      lagMs: replay || !run || lastTs === null ? null : Date.now() - (Date.parse(lastTs) + timeframeMs(run.timeframe)),
    };
  });

  app.get('/api/positions', async (_req, reply) => {
    const run = runOr404(reply);
    return run ? data.positions(run) : undefined;
  });

  app.get<{ Querystring: { limit: number } }>('/api/orders', { schema: { querystring: { type: 'object', properties: { limit: limit(5000, 100) }, additionalProperties: false } } }, async (req, reply) => {
    const run = runOr404(reply);
    return run ? data.orders(run, req.query.limit) : undefined;
  });

  app.get<{ Querystring: { limit: number; symbol?: string } }>(
    '/api/fills',
    { schema: { querystring: { type: 'object', properties: { limit: limit(5000, 200), symbol: { type: 'string', minLength: 1 } }, additionalProperties: false } } },
    async (req, reply) => {
      const run = runOr404(reply);
      if (!run) return;
      const a = req.query.symbol === undefined ? undefined : symbolIndex(run, req.query.symbol);
      if (a === -1) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown symbol ${req.query.symbol}; the run trades ${run.symbols.join(', ')}` });
      return data.fills(run, req.query.limit, a);
    },
  );

  app.get<{ Querystring: { since: number; maxPoints: number } }>(
    '/api/equity',
    { schema: { querystring: { type: 'object', properties: { since, maxPoints: limit(20_000, 2000) }, additionalProperties: false } } },
    async (req, reply) => {
      const run = runOr404(reply);
      return run ? data.equity(run, req.query.since, req.query.maxPoints) : undefined;
    },
  );

  app.get<{ Querystring: { symbol: string; since: number; limit: number } }>(
    '/api/bars',
    { schema: { querystring: { type: 'object', required: ['symbol'], properties: { symbol: { type: 'string', minLength: 1 }, since, limit: limit(20_000, 2000) }, additionalProperties: false } } },
    async (req, reply) => {
      const run = runOr404(reply);
      if (!run) return;
      const a = symbolIndex(run, req.query.symbol);
      if (a < 0) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown symbol ${req.query.symbol}; the run trades ${run.symbols.join(', ')}` });
      return data.bars(run, a, req.query.since, req.query.limit);
    },
  );

  app.get<{ Querystring: { since: number; limit: number; maxPoints?: number } }>(
    '/api/router',
    { schema: { querystring: { type: 'object', properties: { since, limit: limit(20_000, 2000), maxPoints: { type: 'integer', minimum: 1, maximum: 20_000 } }, additionalProperties: false } } },
    async (req, reply) => {
      const run = runOr404(reply);
      return run ? data.weights(run, req.query.since, req.query.limit, req.query.maxPoints) : undefined;
    },
  );

  app.get<{ Querystring: { last: number } }>('/api/contest', { schema: { querystring: { type: 'object', properties: { last: limit(5000, 50) }, additionalProperties: false } } }, async (req, reply) => {
    const run = runOr404(reply);
    return run ? data.contest(run, req.query.last) : undefined;
  });

  app.get<{ Querystring: { limit: number } }>('/api/features', { schema: { querystring: { type: 'object', properties: { limit: limit(1000, 20) }, additionalProperties: false } } }, async (req, reply) => {
    const run = runOr404(reply);
    return run ? data.features(run, req.query.limit) : undefined;
  });

  app.get<{ Params: { id: number } }>('/api/decisions/:id', { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 0 } } } } }, async (req, reply) => {
    const run = runOr404(reply);
    if (!run) return;
    const d = data.renderedDecision(run, req.params.id);
    if (d === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no decision at bar ${req.params.id} (decisions exist at bars where orders were placed)` });
    return d;
  });
};
