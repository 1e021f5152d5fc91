import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

  it('arena.config.ts may import a user expert and name it directly; a JSON config\'s module paths resolve against its folder', () => {
    const example = fileURLToPath(new URL('../../../examples/experts/bollinger.ts', import.meta.url));
    const file = join(dir, 'imports.ts');
    writeFileSync(file, `import bollinger from ${JSON.stringify(example)};\nexport default { experts: { custom: [{ name: 'bb', module: bollinger, params: { window: 40 } }] } };\n`);
    expect(loadConfig(file, {}).experts.custom).toEqual([{ name: 'bb', module: example, params: { window: 40 }, weight: 0.2 }]);
    const stray = join(dir, 'stray.ts');
    writeFileSync(stray, `export default { experts: { custom: [{ name: 'bb', module: { step: () => 0 } }] } };\n`);
    expect(() => loadConfig(stray, {})).toThrow(/ARENA_E_CONFIG: .*stray\.ts: experts\.custom bb: module is an object that no module the config imports exports as its default/);
    const json = join(dir, 'sub', 'arena.config.json');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(json, JSON.stringify({ experts: { custom: [{ name: 'bb', module: './bb.ts' }] } }));
    expect(loadConfig(json, {}).experts.custom[0]!.module).toBe(join(dir, 'sub', 'bb.ts'));
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
