/** The bias checks as a user runs them (and CI does): no look-ahead and no recursive bias in the default pipeline. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'arena-bias-'));

describe('arena lookahead-analysis / recursive-analysis (CLI)', () => {
  it('lookahead-analysis: the default pipeline with the contest, on a small panel, has no stage that reads past its decision bar', () => {
    const out = tmp();
    const r = arena(['lookahead-analysis', '--synthetic', '--assets', '3', '--bars', '700', '--contest', '--samples', '5', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('LOOK-AHEAD ANALYSIS (5 decision bars');
    expect(r.stderr).toContain('no look-ahead bias found');
    const json = JSON.parse(readFileSync(join(out, 'lookahead.json'), 'utf8')) as { biased: boolean; stages: { stage: string; changed: number }[] };
    expect(json.biased).toBe(false);
    expect(json.stages.map((s) => s.stage)).toContain('target (contest)');
    expect(json.stages.every((s) => s.changed === 0)).toBe(true);
  }, 120_000);

  it('recursive-analysis: every indicator agrees with its full history within 2,000 bars of startup; bad flags exit 2', () => {
    const out = tmp();
    const r = arena(['recursive-analysis', '--synthetic', '--assets', '2', '--bars', '2600', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('RECURSIVE ANALYSIS');
    expect(r.stderr).toMatch(/startup the indicators need to agree with the full history: \d+ bars/);
    expect(r.stderr).toContain('no recursive bias found');
    const json = JSON.parse(readFileSync(join(out, 'recursive.json'), 'utf8')) as { biased: boolean; indicators: unknown[] };
    expect(json.biased).toBe(false);
    expect(json.indicators.length).toBeGreaterThan(50);
    // a config whose trend expert remembers more than 2,000 bars: reported, exit 1
    const cfg = join(out, 'long.json');
    writeFileSync(cfg, JSON.stringify({ experts: { trend: { fast: 200, slow: 1500, volWindow: 800 } } }));
    const long = arena(['recursive-analysis', '--config', cfg, '--synthetic', '--assets', '2', '--bars', '2600', '--out', out]);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('bias: expert:trend depend on more history');
    const bad = arena(['lookahead-analysis', '--synthetic', '--samples', 'many', '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--samples/);
  }, 120_000);
});
