import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SAMPLE_DATA_DIR, sharedDataDir } from '@arena/core';
import { formatInspection, inspectDir } from './inspect.ts';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const HEADER = 'ts,open,high,low,close,volume';

function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'arena-inspect-'));
  mkdirSync(join(root, 'spot', '1h'), { recursive: true });
  const good = [HEADER, ...[0, 1, 2, 5].map((i) => `${T0 + i * H},1,2,0.5,1.5,3`)].join('\n');
  writeFileSync(join(root, 'spot', '1h', 'AAA_USD.csv.gz'), gzipSync(good));
  const bad = [HEADER, `${T0},1,2,0.5,1.5,3`, `${T0 + H},1,2,3,1.5,3`, `${T0 + H},1,2,0.5,1.5,3`, `${T0 + H},1,2,0.5,1.5,4`].join('\n');
  writeFileSync(join(root, 'spot', '1h', 'BBB_USD.csv'), bad);
  writeFileSync(join(root, 'CCC.csv'), `${HEADER}\n`); // no bars: timeframe cannot be inferred
  writeFileSync(join(root, 'spot', 'funding.csv'), 'ts,funding_rate\n1,0\n');
  return root;
}

describe('inspectDir', () => {
  it('reports one row per candle file, recursively, with figures and the first issues', () => {
    const root = makeTree();
    const rows = inspectDir(root);
    expect(rows.map((r) => r.path)).toEqual(['CCC.csv', join('spot', '1h', 'AAA_USD.csv.gz'), join('spot', '1h', 'BBB_USD.csv')]);
    const [ccc, aaa, bbb] = rows;
    expect(ccc!.error).toMatch(/ARENA_E_DATA_SPACING/);
    expect(aaa).toMatchObject({ symbol: 'AAA/USD', timeframe: '1h', first: '2025-01-01T00:00:00.000Z', last: '2025-01-01T05:00:00.000Z', rows: 4, gaps: 1, missingBars: 2, duplicates: 0, badRows: 0, warnings: 1, error: undefined });
    expect(bbb).toMatchObject({ rows: 4, badRows: 2, duplicates: 1 });
    expect(bbb!.issues.map((i) => i.where)).toEqual([`${join(root, 'spot/1h/BBB_USD.csv')}:3`, `${join(root, 'spot/1h/BBB_USD.csv')}:5`]);
  });

  it('formats an aligned table followed by the issues with file:line', () => {
    const root = makeTree();
    const text = formatInspection(inspectDir(root));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^file\s+symbol\s+tf\s+first\s+last\s+rows\s+bad\s+dups\s+gaps\s+missing\s+warnings$/);
    // Every table row has the same width as the header (right-aligned numbers end in the same column).
    expect(lines[3]!.length).toBe(lines[0]!.length);
    expect(lines[3]).toMatch(/^spot\/1h\/AAA_USD\.csv\.gz\s+AAA\/USD\s+1h\s+2025-01-01 00:00\s+2025-01-01 05:00\s+4\s+0\s+0\s+1\s+2\s+1$/);
    expect(text).toContain(`ERROR ${join(root, 'spot/1h/BBB_USD.csv')}:3  high_below_low: high 2 < low 3`);
    expect(text).toContain('CCC.csv: ARENA_E_DATA_SPACING');
  });

  it('refuses a missing folder', () => {
    expect(() => inspectDir('/nonexistent/arena')).toThrow('ARENA_E_DATA_DIR_MISSING');
  });
});

describe('inspectDir on the shared data', () => {
  const dir = sharedDataDir();
  it.skipIf(!dir)('inspects the futures folder: OJ has its real high < low row (skipped when ../shared/data is absent)', () => {
    const rows = inspectDir(join(dir!, 'futures'));
    expect(rows.map((r) => r.symbol)).toEqual(['CL', 'ES', 'HG', 'OJ']);
    const oj = rows[3]!;
    expect(oj.badRows).toBe(1);
    expect(oj.issues[0]?.kind).toBe('high_below_low');
    expect(formatInspection(rows)).toContain('us/1d/CL.csv.gz');
  });
});

describe('inspect shows the rare issues first', () => {
  it("the sample's CL: its one negative close among hundreds of common warnings is in the five shown", () => {
    const cl = inspectDir(join(SAMPLE_DATA_DIR, 'futures/us/1d')).find((r) => r.symbol === 'CL')!;
    expect(cl.warnings).toBeGreaterThan(100);
    expect(cl.issues).toHaveLength(5);
    expect(cl.issues.some((i) => i.kind === 'non_positive_price' && /close -37\.63/.test(i.message))).toBe(true);
  });
});
