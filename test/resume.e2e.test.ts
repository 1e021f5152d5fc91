/**
 * Resume: a daemon killed with SIGKILL at 20+ points of a run with the default pipeline (the learned expert with
 * its selections in a worker, the router) ends with the ledger of the run never interrupted; and a run paused,
 * resumed and flattened from the dashboard, killed and restarted, ends with the books of a run that applied the
 * same controls at the same bars without interruption (the ledger records each control with its bar; a restart
 * replays them); a control confirmed just before a SIGKILL, which no step applied, is applied by the restart.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, parseConfig } from '@arena/core';
import { type ControlKind, daemonPipeline, panelRow } from '@arena/engine';
import { generateSyntheticMarket } from '@arena/streams';
import { ROOT, arena, killTracked, spawnArena } from './cli.ts';
import { countIn, paperProgress, readRows } from './ledgerDb.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// a daemon a failed test left running is stopped before the next file starts
afterAll(killTracked);
const FILLS = 'SELECT t, asset, qty, price FROM fills ORDER BY id';
const EQUITY = 'SELECT t, equity FROM equity ORDER BY t';
const EQUITY_ROWS = 'SELECT COUNT(*) AS n FROM equity';

const summary = (db: string) => JSON.parse(arena(['ledger', 'summary', '--db', db, '--json']).stdout) as { bars: number; status: string; resumes: number };

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; log: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawnArena(['paper', ...args], env);
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, log: () => err, exited };
}

const until = async (what: string, ok: () => boolean, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Runs the daemon to the end, killing it with SIGKILL at random moments `kills` times; returns the mid-run kills. */
async function killRepeatedly(args: string[], db: string, kills: number, seed: number): Promise<number> {
  const rng = new Rng(seed);
  const bars = Number(args[args.indexOf('--bars') + 1]);
  let killed = 0;
  let midRun = 0;
  for (let round = 0; round < kills * 3; round++) {
    const before = round === 0 ? 0 : paperProgress(db).bars;
    const d = start([...args, '--exit-at-end', '--db', db, '--port', '0']);
    const delay = 150 + rng.next() * 600;
    const stepped = countIn(db, EQUITY_ROWS);
    const killer = (async () => {
      // once it steps: after its rebuild (the servers answer from before it), and past its first new bar (on a slow
      // machine the first step after a rebuild can take longer than the delay, and a kill before it is not mid-run)
      await until('the daemon stepping', () => /resumed paper run|paper run \d+: /.test(d.log()) || d.child.exitCode !== null);
      await until('a new bar', () => countIn(db, EQUITY_ROWS) > stepped || d.child.exitCode !== null);
      await new Promise((r) => setTimeout(r, delay));
      // never near the end: a kill after the run has finished would make the next start a new run
      if (d.child.exitCode === null && killed < kills && countIn(db, EQUITY_ROWS) < bars - 100) {
        d.child.kill('SIGKILL');
        killed++;
      }
    })();
    const { code, signal } = await d.exited;
    await killer;
    if (signal === 'SIGKILL') {
      const after = paperProgress(db);
      if (after.bars > before && after.status === 'running') midRun++;
      continue;
    }
    expect(code, d.log().slice(-2000)).toBe(0);
    return midRun;
  }
  throw new Error('the run never finished');
}

describe('resume after SIGKILL', () => {
  it('the learned expert, the model router and selections in a worker: 20+ kills end with the uninterrupted ledger', async () => {
    const args = ['--synthetic', '--seed', '5', '--assets', '3', '--bars', '1300', '--router', 'model', '--speed', '90'];
    const reference = join(dir, 'default-reference.db');
    const ref = arena(['paper', ...args.slice(0, -2), '--speed', 'max', '--exit-at-end', '--db', reference, '--port', '0']);
    expect(ref.code, ref.stderr).toBe(0);
    expect(ref.stderr).toMatch(/learned expert: default/);
    const db = join(dir, 'default-killed.db');
    const midRun = await killRepeatedly(args, db, 22, 7);
    expect(midRun).toBeGreaterThanOrEqual(20);
    expect(summary(db).resumes).toBeGreaterThanOrEqual(20);
    expect(readRows(db, FILLS)).toEqual(readRows(reference, FILLS));
    expect(readRows(db, EQUITY)).toEqual(readRows(reference, EQUITY));
    // the selections took over at the same bars
    expect(readRows(db, 'SELECT ts, from_t, features FROM feature_selections ORDER BY ts')).toEqual(readRows(reference, 'SELECT ts, from_t, features FROM feature_selections ORDER BY ts'));
  }, 420_000);

  it('a control sent while a restart rebuilds the books, or after the run has ended, is refused (409) and changes nothing', async () => {
    // long enough that the rebuild of the first 60,000 bars lasts well beyond the first look at /healthz
    const args = ['--synthetic', '--seed', '4', '--assets', '3', '--bars', '100000', '--weights', 'trend=0.4,breakout=0.3,positioning=0.3', '--speed', 'max'];
    const db = join(dir, 'rebuilding.db');
    const first = start([...args, '--db', db, '--port', '0']);
    await until('60,000 bars', () => countIn(db, EQUITY_ROWS) >= 60_000 || first.child.exitCode !== null);
    first.child.kill('SIGTERM');
    expect((await first.exited).code, first.log()).toBe(0);
    const stoppedAt = countIn(db, EQUITY_ROWS);
    expect(stoppedAt).toBeLessThan(100_000);
    const token = 'test-token';
    const d = start([...args, '--db', db, '--dashboard', '127.0.0.1:0'], { ARENA_DASHBOARD_TOKEN: token });
    await until('the dashboard', () => /dashboard on http:\/\/127\.0\.0\.1:\d+/.test(d.log()));
    const base = /dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(d.log())![1]!;
    const post = (action: ControlKind) => fetch(`${base}/api/control/${action}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; equity: number; lastTs: string | null };
    expect(health.status).toBe('rebuilding');
    // the books as the ledger left them, while they are rebuilt
    const [stored] = readRows(db, 'SELECT ts, equity FROM equity ORDER BY t DESC LIMIT 1') as { ts: number; equity: number }[];
    expect(health.equity).toBe(stored!.equity);
    expect(health.lastTs).toBe(new Date(stored!.ts).toISOString());
    const during = await post('pause');
    expect(during.status).toBe(409);
    expect(((await during.json()) as { message: string }).message).toMatch(/^pause not taken: the daemon is rebuilding its books/);
    await until('the replay finished', () => /replay finished: 100000 bars/.test(d.log()) || d.child.exitCode !== null);
    const after = await post('flatten');
    expect(after.status).toBe(409);
    expect(((await after.json()) as { message: string }).message).toMatch(/the run has ended/);
    d.child.kill('SIGTERM');
    expect((await d.exited).code, d.log().slice(-2000)).toBe(0);
    expect(countIn(db, 'SELECT COUNT(*) AS n FROM controls')).toBe(0);
    expect(summary(db)).toMatchObject({ bars: 100_000, status: 'finished', resumes: 1 });
  }, 120_000);

  it('a control confirmed while no bar is due is in the ledger before the answer: killed at once, the restart applies it at its first bar', async () => {
    const args = ['--synthetic', '--seed', '5', '--assets', '3', '--bars', '400', '--weights', 'trend=0.5,breakout=0.5'];
    const db = join(dir, 'confirmed.db');
    const token = 'test-token';
    // a bar every 4 s: the request comes between two bars, when no step will apply it before the kill
    const d = start([...args, '--speed', '0.25', '--db', db, '--dashboard', '127.0.0.1:0'], { ARENA_DASHBOARD_TOKEN: token });
    await until('the dashboard', () => /dashboard on http:\/\/127\.0\.0\.1:\d+/.test(d.log()));
    const base = /dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(d.log())![1]!;
    await until('the first bar', () => countIn(db, EQUITY_ROWS) >= 1);
    const r = await fetch(`${base}/api/control/pause`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(r.status, await r.text()).toBe(200);
    d.child.kill('SIGKILL');
    await d.exited;
    const stepped = countIn(db, EQUITY_ROWS);
    expect(readRows(db, 'SELECT kind, applied_t FROM control_requests')).toEqual([{ kind: 'pause', applied_t: null }]);
    expect(countIn(db, 'SELECT COUNT(*) AS n FROM controls')).toBe(0);
    // the restart applies it at the first bar it steps, and records it with that bar
    const again = start([...args, '--speed', 'max', '--exit-at-end', '--db', db]);
    expect((await again.exited).code, again.log()).toBe(0);
    expect(again.log()).toMatch(/1 operator control recorded before the restart and not yet applied \(pause\): applied at the next bar/);
    expect(readRows(db, 'SELECT t, kind FROM controls')).toEqual([{ t: stepped, kind: 'pause' }]);
    expect(readRows(db, 'SELECT kind, applied_t FROM control_requests')).toEqual([{ kind: 'pause', applied_t: stepped }]);
    // paused from that bar on: no order from it
    expect(countIn(db, `SELECT COUNT(*) AS n FROM orders WHERE t >= ${stepped}`)).toBe(0);
    expect(summary(db)).toMatchObject({ bars: 400, status: 'finished', resumes: 1 });
  }, 120_000);

  it('paused, resumed and flattened from the dashboard, killed and restarted: the books of the same controls without interruption', async () => {
    const weights = 'trend=0.4,breakout=0.3,positioning=0.3';
    const args = ['--synthetic', '--seed', '9', '--assets', '3', '--bars', '1500', '--weights', weights];
    const db = join(dir, 'controlled.db');
    const token = 'test-token';
    const d = start([...args, '--speed', '120', '--db', db, '--dashboard', '127.0.0.1:0'], { ARENA_DASHBOARD_TOKEN: token });
    await until('the dashboard', () => /dashboard on http:\/\/127\.0\.0\.1:\d+/.test(d.log()));
    const base = /dashboard on (http:\/\/127\.0\.0\.1:\d+)/.exec(d.log())![1]!;
    const control = async (action: ControlKind) => {
      const r = await fetch(`${base}/api/control/${action}`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(r.status, await r.text()).toBe(200);
      await new Promise((res) => setTimeout(res, 700));
    };
    await new Promise((res) => setTimeout(res, 1500));
    for (const action of ['pause', 'resume', 'flatten', 'resume'] as const) await control(action);
    d.child.kill('SIGKILL');
    await d.exited;
    const controls = readRows(db, 'SELECT t, kind FROM controls ORDER BY t, seq') as { t: number; kind: ControlKind }[];
    expect(controls.map((c) => c.kind)).toEqual(['pause', 'resume', 'flatten', 'resume']);
    const midRun = await killRepeatedly([...args, '--speed', '400'], db, 4, 3);
    expect(midRun).toBeGreaterThanOrEqual(3);
    // the uninterrupted run: the same bars, the same controls at the same bars, no restart
    const { panel } = generateSyntheticMarket({ seed: 9, assets: 3, bars: 1500, timeframe: '1h' });
    const config = parseConfig({ experts: { weights: { trend: 0.4, breakout: 0.3, positioning: 0.3 } }, router: { mode: 'static' } });
    const p = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config, periodsPerYear: panel.periodsPerYear() });
    const equity: { t: number; equity: number }[] = [];
    let flatAfterFlatten = true;
    for (let t = 0; t < panel.nTimes; t++) {
      for (const c of controls) if (c.t === t) p.control(c.kind);
      const step = await p.step(panel.ts[t]!, panelRow(panel, t));
      equity.push({ t, equity: step.equity });
      const flattenAt = controls[2]!.t;
      if (t > flattenAt + 1 && t < controls[3]!.t) flatAfterFlatten &&= Array.from(p.book.broker.units).every((u) => u === 0);
    }
    expect(flatAfterFlatten).toBe(true);
    expect(readRows(db, EQUITY)).toEqual(equity);
  }, 420_000);
});
