import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './configFile.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config file', () => {
  it('arena.config.ts: its default export, computed values included, with flags on top; the module object is not written to', () => {
    const file = join(dir, 'arena.config.ts');
    writeFileSync(file, `const trend: number = 0.5 + 0.2;\nexport const shared = { weights: { trend, breakout: 0.3 } };\nexport default { experts: shared, risk: { maxDrawdown: 0.1 } };\n`);
    const c = loadConfig(file, { 'risk.maxDailyLoss': 0.02 });
    expect(c.experts.weights).toEqual({ trend: 0.7, breakout: 0.3 });
    expect(c.risk).toEqual({ maxDrawdown: 0.1, maxDailyLoss: 0.02 });
    expect(loadConfig(file, {}).risk.maxDailyLoss).toBe(0.05);
  });

  it('a .ts config that does not load, or exports no object, is a config error naming the file', () => {
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'export default {{;\n');
    expect(() => loadConfig(broken, {})).toThrow(/ARENA_E_CONFIG: .*broken\.ts does not load/);
    const scalar = join(dir, 'scalar.ts');
    writeFileSync(scalar, 'export default 42;\n');
    expect(() => loadConfig(scalar, {})).toThrow(/scalar\.ts must hold an object as its default export/);
    expect(() => loadConfig(join(dir, 'nope.json'), {})).toThrow(/does not exist/);
  });
});
