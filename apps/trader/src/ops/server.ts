/** The daemon's operations endpoints on node:http: GET /healthz (JSON) and GET /metrics (Prometheus text). */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export function startOpsServer(at: { host: string; port: number }, health: () => Record<string, unknown>, metrics: () => string): Promise<OpsServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' }).end(JSON.stringify({ error: `${req.method} not allowed; the daemon's endpoints are read-only` }));
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(health()));
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no route ${path}; try /healthz or /metrics` }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject); // the caller names the flag (listenOn)
    server.listen(at.port, at.host, () => {
      const a = server.address() as AddressInfo;
      resolve({ host: at.host, port: a.port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
