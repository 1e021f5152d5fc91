/**
 * How the CLI ends on errors once the wasm tensor backend has loaded (its Emscripten module installs process-wide
 * handlers that rethrow from inside its minified source): an Arena error stays one line with exit 2; an unexpected
 * crash prints its stack once, exit 1; neither ever prints the module's source.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, arena } from './cli.ts';

/** Text that only the wasm backend's module source contains. */
const WASM_SOURCE = /WasmBackendModule|var Module=|readyPromiseResolve/;
const dir = mkdtempSync(join(tmpdir(), 'arena-fatal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(script: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('errors after the wasm backend has loaded', () => {
  it('a taken --dashboard port is one line, ARENA_E_PORT_IN_USE, exit 2 (the daemon had loaded its models on wasm)', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = arena(['paper', '--synthetic', '--assets', '2', '--bars', '300', '--db', join(dir, 'p.db'), '--dashboard', `127.0.0.1:${port}`], ROOT, { ARENA_BACKEND: 'wasm' });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/tensor backend: wasm/);
      const errors = r.stderr.split('\n').filter((l) => /error/i.test(l) && !l.startsWith('{'));
      expect(errors).toEqual([`error: ARENA_E_PORT_IN_USE: 127.0.0.1:${port} is in use (--port / --dashboard)`]);
      expect(r.stderr).not.toMatch(WASM_SOURCE);
    } finally {
      taken.close();
    }
  }, 90_000);

  it('an unexpected crash prints its stack once through the CLI handler, exit 1, no module source', () => {
    const r = node(`
      import { installFatalHandlers } from './apps/trader/src/fatal.ts';
      import { initRuntime } from './packages/kernels/src/index.ts';
      installFatalHandlers();
      const rt = await initRuntime({ backend: 'wasm' });
      if (rt.info.backend !== 'wasm') throw new Error('wasm did not start');
      setTimeout(() => { throw new Error('boom after wasm'); }, 10);
    `);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: unexpected: Error: boom after wasm\n\s+at /);
    expect(r.stderr.match(/boom after wasm/g)).toHaveLength(1);
    expect(r.stderr).not.toMatch(WASM_SOURCE);
  });

  it('the runtime leaves no rethrowing handler behind: an unhandled rejection after init is Node\'s own one report', () => {
    const r = node(`
      import { initRuntime } from './packages/kernels/src/index.ts';
      await initRuntime({ backend: 'wasm' });
      if (process.listeners('uncaughtException').length + process.listeners('unhandledRejection').length !== 0) throw new Error('handlers left behind');
      Promise.reject(new Error('rejected after wasm'));
    `);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: rejected after wasm/);
    expect(r.stderr).not.toMatch(/handlers left behind/);
    expect(r.stderr).not.toMatch(WASM_SOURCE);
  });
});
