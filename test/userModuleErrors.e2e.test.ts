/**
 * Bad user expert modules, each refused before anything runs: one line with a stable code naming the module and
 * why, exit 2, no ledger created. No daemon is started and no latency bound but the module limits' own (1 s), so
 * the file runs beside the others (the user expert's daemon and watchdog cases are userExpert.e2e, run alone).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

const MARKET = ['--synthetic', '--bars', '1500', '--assets', '3'];

describe('bad user modules: one line with a stable code naming the module, exit 2, no ledger touched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arena-badexpert-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ok = 'export default { step: () => 0 };';
  const cases: { what: string; source?: string; file?: string; entry?: Record<string, unknown>; router?: string; command?: 'backtest'; expect: RegExp }[] = [
    { what: 'a missing file', file: 'nope.ts', expect: /ARENA_E_EXPERT_MODULE: expert module x \(.*nope\.ts\): the file does not exist/ },
    { what: 'a syntax error (where and why)', source: 'export default { step: ( => 0 };', expect: /ARENA_E_EXPERT_MODULE: .*: does not import: Transform failed with 1 error: .*m1\.ts:1:\d+: ERROR: \S+/ },
    { what: 'a throw while the module loads', source: "throw new Error('no config here');", expect: /does not import: no config here/ },
    { what: 'no default export', source: 'export const spec = { step: () => 0 };', expect: /has no default export \(it exports spec; export the spec as default\)/ },
    { what: 'a default export that is not an object', source: 'export default 42;', expect: /its default export is number, not an expert spec object/ },
    { what: 'no step function', source: 'export default { init: () => ({}) };', expect: /has no step\(state, bar, params\) function/ },
    { what: 'a bad warmup', source: 'export default { warmup: -3, step: () => 0 };', expect: /warmup must be an integer >= 0/ },
    { what: 'a default outside its own range', source: 'export default { params: { n: { default: 500, min: 1, max: 100 } }, step: () => 0 };', expect: /param n's default: must be <= 100, got 500/ },
    { what: 'an undeclared param in the config', source: 'export default { params: { n: { default: 5 } }, step: () => 0 };', entry: { params: { m: 3 } }, expect: /params: param m is not declared \(it declares n\)/ },
    { what: 'a param out of range in the config', source: 'export default { params: { n: { default: 5, min: 2, max: 9, int: true } }, step: () => 0 };', entry: { params: { n: 2.5 } }, expect: /params: param n must be an integer, got 2\.5/ },
    { what: 'init that throws', source: "export default { init: () => { throw new Error('bad init'); }, step: () => 0 };", expect: /init failed: bad init/ },
    { what: 'init that never returns (on its thread: refused within the limit, not after the load time)', source: 'export default { init: () => { for (;;) {} }, step: () => 0 };', expect: /init did not finish within 1000 ms \(timed-out\); its thread was stopped/ },
    { what: 'step that throws on the probe', source: "export default { step: (s, bar) => { if (bar.t === 7) throw new Error('boom'); return 0; } };", expect: /on a probe market of 400 generated bars, failed at bar 7, asset 0: step threw: boom/ },
    { what: 'step that never returns on the probe (on its thread: refused, not a hang)', source: 'export default { step: (s, bar) => { if (bar.t === 7) for (;;) {} return 0; } };', expect: /on a probe market of 400 generated bars, did not finish bar 7 within 1000 ms/ },
    { what: 'step that returns NaN', source: 'export default { step: () => NaN };', expect: /step returned NaN, not a finite exposure/ },
    { what: 'step that returns a string', source: "export default { step: () => 'long' };", expect: /step returned "long", not a finite exposure/ },
    { what: 'a file that is not a module', file: 'x.json', source: '{}', expect: /must be a \.ts, \.mts, \.js or \.mjs file/ },
    { what: "a built-in expert's name", source: ok, entry: { name: 'trend' }, expect: /ARENA_E_CONFIG: experts\.custom\.0\.name is a built-in expert's name/ },
    { what: 'a trained router asked to weight a set it was not trained on', source: ok, router: 'model', expect: /ARENA_E_EXPERT_SET: the router at .*models\/router\/default was trained on the experts \[trend, reversal, breakout, positioning, learned\] and this config runs \[trend, reversal, breakout, positioning, learned, x\]: train one on this set \(arena train router/ },
    // arena paper refuses the VLM router whatever the experts (usage.e2e): the set is checked where it runs
    { what: 'the VLM router with a user expert', source: ok, router: 'vlm', command: 'backtest', expect: /ARENA_E_EXPERT_SET: router\.mode vlm weights the 5 built-in experts/ },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.what, () => {
      const file = join(dir, c.file ?? `m${i}.ts`);
      if (c.source !== undefined) writeFileSync(file, `${c.source}\n`);
      const cfg = join(dir, `c${i}.json`);
      writeFileSync(cfg, JSON.stringify({ router: { mode: c.router ?? 'equal' }, experts: { custom: [{ name: 'x', module: file, ...c.entry }] } }));
      const db = join(dir, `l${i}.db`);
      const r =
        c.command === 'backtest'
          ? arena(['backtest', '--config', cfg, ...MARKET, '--db', db, '--out', join(dir, `o${i}`)])
          : arena(['paper', '--config', cfg, ...MARKET, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n').filter((l) => l.includes('ARENA_E_'));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(c.expect);
      expect(existsSync(db), 'the ledger was created').toBe(false);
    });
  }
});
