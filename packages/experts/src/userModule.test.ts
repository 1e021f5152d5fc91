/**
 * Bad user expert modules refused by loadUserExperts with the reason, in process: each one's import, spec, params
 * and probe (on its own thread with the daemon's limit, as the CLI loads them). The CLI's side (one line with the
 * code, exit 2, no ledger created) and the cases that need its loader or its config (a missing file, a syntax
 * error, a hang on the thread, a built-in name, a router trained on other experts) are test/userModuleErrors.e2e.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadUserExperts } from './userModule.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-usermodule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// entries as the config gives them (params {} when none is set), probed with experts.userTimeoutMs' default
const cases: { what: string; source: string; file?: string; params?: Record<string, unknown>; expect: RegExp }[] = [
  { what: 'a throw while the module loads', source: "throw new Error('no config here');", expect: /does not import: no config here/ },
  { what: 'no default export', source: 'export const spec = { step: () => 0 };', expect: /has no default export \(it exports spec; export the spec as default\)/ },
  { what: 'a default export that is not an object', source: 'export default 42;', expect: /its default export is number, not an expert spec object/ },
  { what: 'no step function', source: 'export default { init: () => ({}) };', expect: /has no step\(state, bar, params\) function/ },
  { what: 'a bad warmup', source: 'export default { warmup: -3, step: () => 0 };', expect: /warmup must be an integer >= 0/ },
  { what: 'a default outside its own range', source: 'export default { params: { n: { default: 500, min: 1, max: 100 } }, step: () => 0 };', expect: /param n's default: must be <= 100, got 500/ },
  { what: 'an undeclared param in the config', source: 'export default { params: { n: { default: 5 } }, step: () => 0 };', params: { m: 3 }, expect: /params: param m is not declared \(it declares n\)/ },
  { what: 'a param out of range in the config', source: 'export default { params: { n: { default: 5, min: 2, max: 9, int: true } }, step: () => 0 };', params: { n: 2.5 }, expect: /params: param n must be an integer, got 2\.5/ },
  { what: 'init that throws', source: "export default { init: () => { throw new Error('bad init'); }, step: () => 0 };", expect: /init failed: bad init/ },
  { what: 'step that throws on the probe', source: "export default { step: (s, bar) => { if (bar.t === 7) throw new Error('boom'); return 0; } };", expect: /on a probe market of 400 generated bars, failed at bar 7, asset 0: step threw: boom/ },
  { what: 'step that returns NaN', source: 'export default { step: () => NaN };', expect: /step returned NaN, not a finite exposure/ },
  { what: 'step that returns a string', source: "export default { step: () => 'long' };", expect: /step returned "long", not a finite exposure/ },
  { what: 'a file that is not a module', file: 'x.json', source: '{}', expect: /must be a \.ts, \.mts, \.js or \.mjs file/ },
];

describe('loadUserExperts refuses a bad module with ARENA_E_EXPERT_MODULE naming it and why', () => {
  for (const [i, c] of cases.entries()) {
    it(c.what, async () => {
      const file = join(dir, c.file ?? `m${i}.mjs`);
      writeFileSync(file, `${c.source}\n`);
      const err = await loadUserExperts([{ name: 'x', module: file, params: c.params ?? {} } as never], { probe: 1000 }).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect(err, 'refused').toBeDefined();
      expect(err!.code).toBe('ARENA_E_EXPERT_MODULE');
      expect(err!.message).toContain(`x (${file})`);
      expect(err!.message).toMatch(c.expect);
    });
  }
});
