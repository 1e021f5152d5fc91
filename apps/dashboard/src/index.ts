/** @arena/dashboard: the fastify server (API, controls, live WebSocket) and the web UI it serves. */
export * from './data.ts';
export * from './server.ts';
export { buildUi } from './routes/ui.ts';
export type { Controls } from './routes/control.ts';
export type { OpsEndpoints } from './routes/ops.ts';
