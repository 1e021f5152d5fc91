/**
 * Bad user expert modules through the CLI, each refused before anything runs: one line with a stable code naming
 * the module and why, exit 2, no ledger created. The cases here need the CLI's own loader or config (a missing
 * file, a syntax error under tsx, a hang on the module's thread, a built-in name, a router trained on other
 * experts); the module checks that need neither (no default export, bad params, a probe that throws or returns
 * NaN, ...) run in process in packages/experts/src/userModule.test.ts. No daemon is started and no latency bound
 * but the module limit's own (1 s), so the file runs beside the others.
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
    { what: 'init that never returns (on its thread: refused within the limit, not after the load time)', source: 'export default { init: () => { for (;;) {} }, step: () => 0 };', expect: /init did not finish within 1000 ms \(timed-out\); its thread was stopped/ },
    { what: 'step that never returns on the probe (on its thread: refused, not a hang)', source: 'export default { step: (s, bar) => { if (bar.t === 7) for (;;) {} return 0; } };', expect: /on a probe market of 400 generated bars, did not finish bar 7 within 1000 ms/ },
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
