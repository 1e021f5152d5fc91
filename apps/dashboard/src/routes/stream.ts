/**
 * The live stream: a WebSocket at /ws. Every `pollMs` the ledger is read for steps committed since the last look,
 * and each new bar time goes out to every client as {type: 'step', ts, equity, drawdown, bars, fills, decision}.
 * One poll serves every client (fan-out), however many are connected.
 */
import type { FastifyPluginAsync } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from '@fastify/websocket';
import type { DashboardData } from '../data.ts';

/** at most this many steps per poll go out (a replay at full speed outruns any screen) */
const MAX_BATCH = 500;

export interface StreamOptions {
  readonly data: DashboardData;
  readonly pollMs: number;
}

export const streamRoutes: FastifyPluginAsync<StreamOptions> = async (app, { data, pollMs }) => {
  // the stream only sends: a client's frame is never read, so a large one is refused (ws closes with 1009) before it is buffered
  await app.register(websocket, { options: { maxPayload: 1024 } });
  const clients = new Set<WebSocket>();
  let last = -1;
  let runId = -1;
  const tick = () => {
    const run = data.run();
    if (run === undefined) return;
    if (run.id !== runId) {
      runId = run.id;
      last = data.lastStep(run);
    }
    const newest = data.lastStep(run);
    if (newest <= last || clients.size === 0) {
      last = Math.max(last, newest);
      return;
    }
    const steps = data.steps(run, Math.max(last + 1, newest - MAX_BATCH + 1), newest);
    last = newest;
    for (const m of steps) {
      const text = JSON.stringify(m);
      for (const c of clients) if (c.readyState === 1) c.send(text);
    }
  };
  const timer = setInterval(tick, pollMs);
  app.addHook('onClose', async () => clearInterval(timer));
  app.get('/ws', { websocket: true }, (socket) => {
    clients.add(socket);
    socket.send(JSON.stringify({ type: 'hello', run: runId, clients: clients.size }));
    socket.on('close', () => clients.delete(socket));
  });
  app.decorate('streamClients', () => clients.size);
};

declare module 'fastify' {
  interface FastifyInstance {
    streamClients: () => number;
  }
}
