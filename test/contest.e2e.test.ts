/** The contest end to end through the CLI: a backtest where it decides, its ledger, the leaderboard report, bad flags. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-contest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SYNTH = ['--synthetic', '--assets', '4', '--bars', '2000'];

describe('arena backtest --contest -> arena contest report (CLI, end to end)', () => {
  const out = join(dir, 'bt');
  const db = join(dir, 'ledger.db');

  it('backtest --contest: the contest decides, the router becomes a baseline, the record is in the ledger', () => {
    const r = arena(['backtest', ...SYNTH, '--router', 'model', '--contest', '--agents', '12', '--db', db, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Contest: 12 agents, \d+ windows; in cash/);
    expect(r.stderr).toMatch(/data team: 3 factor producers scored by rank IC/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.contest.agents).toBe(12);
    expect(report.contest.windows).toBe(Math.floor(2000 / 24));
    expect(report.baselines.map((b: { name: string }) => b.name)).toContain('router_only');
    expect(report.contest.dataTeam.map((d: { name: string }) => d.name)).toEqual(['base', 'window=250 clusters=4', 'window=500 clusters=4 topK=6']);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Contest: 12 agents');
    // each audit record of a fill carries the contest's target and the adopted agents
    const first = JSON.parse(readFileSync(join(out, 'decisions.jsonl'), 'utf8').split('\n')[0]!);
    expect(typeof first.contest.target).toBe('number');
    expect(Array.isArray(first.contest.agents)).toBe(true);
    expect(existsSync(db)).toBe(true);
  }, 120_000);

  it('contest report: the leaderboard over time as tables, contest.json and contest.html with plots', () => {
    const rep = join(dir, 'rep');
    const r = arena(['contest', 'report', '--db', db, '--top', '5', '--out', rep]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/LEADERBOARD at/);
    expect(r.stdout).toMatch(/ADOPTION OVER TIME/);
    expect(r.stderr).toMatch(/12 agents, \d+ windows, 24000 proposals/);
    const json = JSON.parse(readFileSync(join(rep, 'contest.json'), 'utf8'));
    expect(json.agents).toHaveLength(12);
    expect(json.frames.length).toBe(Math.floor(2000 / 24));
    expect(r.stdout).toMatch(/withheld by its track record .* in \d+ of \d+ windows\.\n?$/);
    const html = readFileSync(join(rep, 'contest.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(3);
    // the tables stay in their pre; the note after them is a paragraph, which wraps in the page's width
    expect(html).toMatch(/<\/pre>\n<p>The score model&#39;s choice was withheld by its track record .* in \d+ of \d+ windows\.<\/p>/);
    expect(/<pre>[^]*<\/pre>/.exec(html)![0]).not.toMatch(/withheld by its track record/);
  }, 60_000);

  it('bad input exits 2 with the reason: a missing ledger, a run id without a contest, --agents 0', () => {
    const missing = arena(['contest', 'report', '--db', join(dir, 'nope.db'), '--out', join(dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such ledger file/);
    const run = arena(['contest', 'report', '--db', db, '--run', '42', '--out', join(dir, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no contest run 42; runs with a contest: 1/);
    const agents = arena(['backtest', ...SYNTH, '--contest', '--agents', '0', '--out', join(dir, 'y')]);
    expect(agents.code).toBe(2);
    expect(agents.stderr).toMatch(/contest\.agents/);
    expect(existsSync(join(dir, 'y'))).toBe(false);
  }, 60_000);
});
