/**
 * The web UI: ui/ built by Vite into dist/<hash of the sources>/ on the first start after they change, served at /.
 * A build goes to a temporary folder renamed into place, so processes starting at once (a daemon and a test) never
 * serve a half-written or emptied build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UI = join(ROOT, 'ui');
const DIST = join(ROOT, 'dist');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** A short hash of the UI's source files (names and contents). */
function sourcesHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(UI).sort()) {
    if (!/\.(ts|html|css)$/.test(f)) continue;
    h.update(f).update(readFileSync(join(UI, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Builds the UI with Vite unless a build of the current sources exists; returns its folder. */
export async function buildUi(force = false): Promise<string> {
  const dir = join(DIST, sourcesHash());
  if (!force && existsSync(join(dir, 'index.html'))) return dir;
  const { build } = await import('vite');
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await build({ root: UI, base: './', logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true, chunkSizeWarningLimit: 2000 } });
  if (force) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process put the same build in place first
  }
  return dir;
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
