/**
 * The paper daemon end to end: a replay to the end, /healthz and /metrics while it runs, a clean stop on SIGTERM,
 * and crash safety: killed with SIGKILL at 20+ points and restarted each time, it ends with the same ledger as a
 * run that was never interrupted.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Ledger, LedgerReader } from '@arena/engine';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '@arena/core';
import { ROOT, arena, killTracked, spawnArena } from './cli.ts';
import { paperProgress, readRows } from './ledgerDb.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-paper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// a daemon a failed test left running is stopped before the next file starts
afterAll(killTracked);
const RULES = ['--synthetic', '--assets', '5', '--bars', '3000', '--weights', 'trend=0.4,breakout=0.3,positioning=0.3'];

const summary = (db: string) => {
  const r = arena(['ledger', 'summary', '--db', db, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { orders: number; fills: number; finalEquity: number; lastTs: string; bars: number; status: string; resumes: number };
};
const table = readRows;
const FILLS = 'SELECT id, t, ts, asset, qty, requested_qty, price, fee, slippage_bps FROM fills ORDER BY id';
const EQUITY = 'SELECT t, ts, equity, cash FROM equity ORDER BY t';

describe('arena paper (replay daemon, SQLite ledger)', () => {
  const reference = join(dir, 'reference.db');

  it('replays to the end with --exit-at-end and exits 0; ledger summary reports the books', () => {
    const r = arena(['paper', ...RULES, '--speed', 'max', '--exit-at-end', '--db', reference, '--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/replay finished: 3000 bars/);
    const s = summary(reference);
    expect(s.status).toBe('finished');
    expect(s.bars).toBe(3000);
    expect(s.fills).toBeGreaterThan(100);
    expect(s.orders).toBeGreaterThanOrEqual(s.fills);
    expect(Number.isFinite(s.finalEquity)).toBe(true);
    // the synthetic market starts 2024-01-01 00:00 UTC: bar 2999 opens 2999 hours later
    expect(s.lastTs).toBe(new Date(Date.UTC(2024, 0, 1) + 2999 * 3_600_000).toISOString());
    expect(table(reference, 'SELECT COUNT(*) AS n FROM equity')).toEqual([{ n: 3000 }]);
  }, 60_000);

  it('serves /healthz and /metrics while running and stops cleanly on SIGTERM, then resumes to the same books', async () => {
    const db = join(dir, 'served.db');
    const child = spawnArena(['paper', ...RULES, '--speed', '400', '--db', db, '--port', '0']);
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no address in time: ${err}`)), 30_000);
      const poll = setInterval(() => {
        const m = /serving \/healthz and \/metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
        if (m) (clearInterval(poll), clearTimeout(timer), resolve(Number(m[1])));
      }, 50);
    });
    await new Promise((r) => setTimeout(r, 1500));
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string; steps: number };
    expect(health.status).toBe('ok');
    expect(health.steps).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^arena_events_in_total \d+$/m);
    expect(metrics).toMatch(/^arena_step_latency_ms_count \d+$/m);
    expect(metrics).toMatch(/^arena_equity [\d.]+$/m);
    expect(metrics).toMatch(/arena_info\{backend="none",source="replay"\} 1/);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, err).toBe(0);
    expect(err).toMatch(/SIGTERM: finishing the current step/);
    const partial = summary(db);
    expect(partial.status).toBe('running');
    expect(partial.bars).toBeGreaterThan(0);
    expect(partial.bars).toBeLessThan(3000);
    const rest = arena(['paper', ...RULES, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stderr).toMatch(/resumed paper run 1 \(restart 1\): rebuilt \d+ bars/);
    expect(table(db, FILLS)).toEqual(table(reference, FILLS));
  }, 90_000);

  it('killed with SIGKILL at 20+ points and restarted, it ends with the ledger of the uninterrupted run', async () => {
    const db = join(dir, 'killed.db');
    const rng = new Rng(2026);
    let kills = 0;
    let midRun = 0;
    let finished = false;
    for (let round = 0; round < 60 && !finished; round++) {
      const before = round === 0 ? 0 : paperProgress(db).bars;
      const child = spawnArena(['paper', ...RULES, '--speed', '250', '--exit-at-end', '--db', db, '--port', '0']);
      let err = '';
      child.stderr.on('data', (d) => (err += String(d)));
      const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
      // kill at a random moment once it is stepping, unless it is one of the last rounds: after its rebuild (the ops
      // server answers from before it) and past its first new bar (under load the rebuild and the first step after it
      // can outlast the delay, and a kill before them is not mid-run), as resume.e2e.test.ts does
      const delay = 100 + rng.next() * 400;
      const killer = (async () => {
        while (!/resumed paper run|paper run \d+: /.test(err) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
        while (child.exitCode === null && paperProgress(db).bars <= before) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, delay));
        if (child.exitCode === null && kills < 24) {
          child.kill('SIGKILL');
          kills++;
        }
      })();
      const { code, signal } = await exited;
      await killer;
      if (signal === 'SIGKILL') {
        const after = paperProgress(db);
        if (after.bars > before && after.status === 'running') midRun++;
        continue;
      }
      expect(code, err).toBe(0);
      finished = true;
    }
    expect(finished).toBe(true);
    expect(midRun).toBeGreaterThanOrEqual(20);
    const s = summary(db);
    const ref = summary(reference);
    expect({ orders: s.orders, fills: s.fills, finalEquity: s.finalEquity, lastTs: s.lastTs, bars: s.bars }).toEqual({ orders: ref.orders, fills: ref.fills, finalEquity: ref.finalEquity, lastTs: ref.lastTs, bars: ref.bars });
    expect(s.resumes).toBeGreaterThanOrEqual(20);
    expect(table(db, FILLS)).toEqual(table(reference, FILLS));
    expect(table(db, EQUITY)).toEqual(table(reference, EQUITY));
  }, 240_000);

  it('--contest: the contest decides bar by bar as in a backtest (same scores), and survives SIGKILL with the same record', async () => {
    const market = ['--synthetic', '--assets', '4', '--bars', '1200', '--weights', 'trend=0.4,breakout=0.3,positioning=0.3', '--contest', '--agents', '12'];
    const backtest = join(dir, 'bt-contest.db');
    expect(arena(['backtest', ...market, '--db', backtest, '--no-baselines', '--out', join(dir, 'bt')]).code).toBe(0);
    const paper = join(dir, 'paper-contest.db');
    const r = arena(['paper', ...market, '--speed', 'max', '--exit-at-end', '--db', paper, '--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    const SCORES = 'SELECT ts, agent, realized, predicted, adopted, weight FROM contest_scores ORDER BY ts, agent';
    const scores = table(paper, SCORES) as { adopted: number }[];
    expect(scores.length).toBe(50 * 12);
    expect(scores).toEqual(table(backtest, SCORES));
    expect(table(paper, 'SELECT COUNT(*) AS n FROM contest_proposals')).toEqual([{ n: 1200 * 12 }]);
    // the dashboard's leaderboard: the ten best predicted, and every agent held wherever it ranks, with why it is held
    const ledger = Ledger.open(paper, { readOnly: true });
    try {
      const reader = new LedgerReader(ledger);
      const frames = reader.contest(reader.run()!, 50).frames;
      const last = (table(paper, 'SELECT ts FROM contest_windows ORDER BY ts DESC LIMIT 1') as { ts: number }[])[0]!.ts;
      const adopted = table(paper, `SELECT COUNT(*) AS n FROM contest_scores WHERE ts = ${last} AND adopted = 1`) as { n: number }[];
      const f = frames[frames.length - 1]!;
      expect(f.leaders.filter((l) => l.adopted)).toHaveLength(adopted[0]!.n);
      expect(f.leaders.length).toBeLessThanOrEqual(10 + adopted[0]!.n);
      expect(typeof f.withheld).toBe('boolean');
    } finally {
      ledger.close();
    }
    // killed twice mid-run, resumed: the same contest record and books
    const killed = join(dir, 'paper-contest-killed.db');
    for (const delay of [700, 900]) {
      const child = spawnArena(['paper', ...market, '--speed', '300', '--exit-at-end', '--db', killed, '--port', '0']);
      let err = '';
      child.stderr.on('data', (d) => (err += String(d)));
      while (!/serving \/healthz/.test(err)) await new Promise((res) => setTimeout(res, 20));
      await new Promise((res) => setTimeout(res, delay));
      child.kill('SIGKILL');
      await new Promise((res) => child.on('exit', res));
    }
    const before = summary(killed);
    expect(before.status).toBe('running');
    expect(arena(['paper', ...market, '--speed', 'max', '--exit-at-end', '--db', killed, '--port', '0']).code).toBe(0);
    expect(table(killed, SCORES)).toEqual(scores);
    expect(table(killed, FILLS)).toEqual(table(paper, FILLS));
    expect(table(killed, 'SELECT COUNT(*) AS n FROM contest_proposals')).toEqual([{ n: 1200 * 12 }]);
  }, 120_000);

  it('1,200 malformed rows in the data files: no crash; each skipped or left out, counted and recorded with file:line or symbol and time', () => {
    const data = join(dir, 'bad-files');
    mkdirSync(data);
    const H = 3_600_000;
    const T0 = Date.UTC(2025, 0, 1);
    const rng = new Rng(11);
    const kinds = [
      (t: number) => `${T0 + t * H},100,101,99`, // too few fields
      (t: number) => `${T0 + t * H},abc,101,99,100,10`, // not a number
      (t: number) => `${T0 + t * H},100,NaN,99,100,10`, // NaN
      (t: number) => `${T0 + t * H},100,101,102,100,10`, // high < low
      (t: number) => `${T0 + t * H},100,101,99,100,-3`, // negative volume
      (t: number) => `${T0 + (t - 5) * H},100,101,99,100,10`, // backwards in time
      (t: number) => `${T0 + t * H + 0.5},100,101,99,100,10`, // ts not an integer
      (t: number) => `${T0 + t * H},-5,1,-6,-1,10`, // prices <= 0 (the loader keeps it with a warning; the daemon leaves it out)
    ];
    let bad = 0;
    for (const sym of ['AAA_USDT', 'BBB_USDT']) {
      const lines = ['ts,open,high,low,close,volume'];
      let p = 100;
      for (let t = 0; t < 700; t++) {
        // about 600 malformed lines per file among its 700 bars (the price-sign ones replace their bar)
        if (bad < 1200 && rng.next() < 0.9) {
          const k = kinds[Math.floor(rng.next() * kinds.length)]!;
          lines.push(k(t));
          bad++;
          if (k === kinds[7]) continue;
        }
        p *= 1 + 0.01 * (rng.next() - 0.5);
        lines.push(`${T0 + t * H},${p.toFixed(4)},${(p * 1.01).toFixed(4)},${(p * 0.99).toFixed(4)},${p.toFixed(4)},${(100 + 50 * rng.next()).toFixed(2)}`);
      }
      writeFileSync(join(data, `${sym}.csv`), `${lines.join('\n')}\n`);
    }
    expect(bad).toBe(1200);
    const db = join(dir, 'bad-files.db');
    const r = arena(['paper', '--data', data, '--timeframe', '1h', ...RULES.slice(-2), '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    const events = table(db, "SELECT detail FROM events WHERE kind = 'rejected'") as { detail: string }[];
    expect(events.length).toBe(bad);
    for (const e of events) expect(e.detail).toMatch(/(AAA_USDT|BBB_USDT)\.csv:\d+: |(AAA|BBB)\/USDT 2025-\S+: /);
    expect(table(db, 'SELECT COUNT(*) AS n FROM equity')).toEqual([{ n: 700 }]);
    expect(summary(db).status).toBe('finished');
  }, 60_000);

  it('the learned expert and the model router, stepped bar by bar, trade and record their feature selections', () => {
    const db = join(dir, 'full.db');
    const r = arena(['paper', '--synthetic', '--assets', '3', '--bars', '800', '--router', 'model', '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/learned expert: default/);
    const s = summary(db);
    expect(s.bars).toBe(800);
    expect(s.fills).toBeGreaterThan(0);
    const sel = table(db, 'SELECT ts, reason, features, weights FROM feature_selections ORDER BY ts') as { reason: string; features: string; weights: string }[];
    expect(sel.length).toBeGreaterThan(0);
    for (const x of sel) {
      expect(['initial', 'scheduled', 'drift']).toContain(x.reason);
      expect((JSON.parse(x.features) as string[]).length).toBe((JSON.parse(x.weights) as number[]).length);
    }
    // the decisions record the router's weights (not the static ones) for the ordered assets
    const d = table(db, 'SELECT record FROM decisions ORDER BY t DESC LIMIT 1') as { record: string }[];
    const w = (JSON.parse(d[0]!.record) as { assets: { weights: Record<string, number> }[] }).assets[0]!.weights;
    expect(Object.values(w).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(new Set(Object.values(w).map((v) => v.toFixed(3))).size).toBeGreaterThan(1);
    // and the regime probabilities the router saw
    const regime = (JSON.parse(d[0]!.record) as { assets: { regime: Record<string, number> }[] }).assets[0]!.regime;
    expect(Object.keys(regime)).toEqual(['trend_up', 'trend_down', 'range', 'volatile']);
    expect(Object.values(regime).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  }, 120_000);

  it('bad flags exit 2 with the reason and no ledger is touched', () => {
    const speed = arena(['paper', ...RULES, '--speed', 'fast', '--db', join(dir, 'x.db'), '--port', '0']);
    expect(speed.code).toBe(2);
    expect(speed.stderr).toMatch(/--speed/);
    const port = arena(['paper', ...RULES, '--port', 'localhost:http', '--db', join(dir, 'x.db')]);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port/);
    const missing = arena(['ledger', 'summary', '--db', join(dir, 'none.db'), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ARENA_E_LEDGER: --db .*none\.db: no such ledger file/);
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  }, 60_000);

  it('one daemon per ledger: a second one on the same --db stops with one line; after a SIGKILL the next start takes the lock (the system dropped it); a SQLite file of something else is refused', async () => {
    const db = join(dir, 'locked.db');
    const first = spawnArena(['paper', ...RULES, '--speed', '20', '--db', db, '--port', '0']);
    let log = '';
    first.stderr.on('data', (d) => (log += String(d)));
    const exited = new Promise((r) => first.on('exit', r));
    const end = Date.now() + 60_000;
    while (!/paper run 1: /.test(log) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const second = arena(['paper', ...RULES, '--speed', '20', '--db', db, '--port', '0']);
    expect(second.code, second.stderr).toBe(2);
    const owner = JSON.parse(readFileSync(`${db}.lock.owner`, 'utf8')) as { since: string };
    expect(second.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
      `error: ARENA_E_LEDGER: ${db} is in use by another daemon (pid ${first.pid} on ${hostname()}, since ${owner.since}): stop it first, or use another --db`,
    ]);
    first.kill('SIGKILL');
    await exited;
    const resumed = arena(['paper', ...RULES, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`the ledger's previous daemon \\(pid ${first.pid}, since [^)]+\\) ended without releasing it \\(a crash or SIGKILL\\); taken over`));
    expect(summary(db)).toMatchObject({ bars: 3000, status: 'finished', resumes: 1 });
    expect(existsSync(`${db}.lock.owner`)).toBe(false);
    const foreign = join(dir, 'foreign.db');
    const other = new Database(foreign);
    other.exec('CREATE TABLE notes (x TEXT)');
    other.close();
    const refused = arena(['paper', ...RULES, '--speed', 'max', '--db', foreign, '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ARENA_E_LEDGER: .*foreign\.db is not an Arena ledger \(it holds tables notes\)/);
  }, 120_000);
});
