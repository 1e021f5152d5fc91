/**
 * The web UI: ui/ built by Vite into dist/ (on the first start when dist/ is missing or older than ui/), served at /.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UI = join(ROOT, 'ui');
const DIST = join(ROOT, 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

const newest = (dir: string): number => Math.max(0, ...readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs));

/** Builds the UI with Vite when dist/ is missing or older than its sources. */
export async function buildUi(force = false): Promise<string> {
  if (!force && existsSync(join(DIST, 'index.html')) && newest(DIST) >= newest(UI)) return DIST;
  const { build } = await import('vite');
  await build({ root: UI, base: './', logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true, chunkSizeWarningLimit: 2000 } });
  return DIST;
}

export const uiRoutes: FastifyPluginAsync = async (app) => {
  const dist = await buildUi();
  app.get('/*', async (req, reply) => {
    const path = (req.params as { '*': string })['*'] || 'index.html';
    const file = normalize(join(dist, path));
    if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no page ${req.url}` });
    return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(readFileSync(file));
  });
};
