import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPERT_NAMES, Rng, parseConfig } from '@arena/core';
import { researchTeam, runContest } from '@arena/contest';
import { generateSyntheticMarket } from '@arena/streams';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { readLeaderboard } from '../contest/leaderboard.ts';
import { contestSettings } from '../contest/stage.ts';
import { Checkpointer } from './checkpointer.ts';
import { ContestLedger } from './contestLedger.ts';
import { Ledger } from './ledger.ts';
import { MIGRATIONS } from './migrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A ledger file as an Arena of schema `version` left it (its first migrations only), opened without Ledger. */
function databaseAtVersion(path: string, version: number): Database.Database {
  const raw = new Database(path);
  for (const m of MIGRATIONS.slice(0, version)) raw.exec(m);
  raw.pragma(`user_version = ${version}`);
  return raw;
}

describe('ledger (SQLite)', () => {
  it('creates the schema at the latest version in WAL mode, reopens without migrating twice, refuses a newer file', () => {
    const path = join(dir, 'a', 'ledger.db');
    const l = Ledger.open(path);
    expect(l.schemaVersion).toBe(MIGRATIONS.length);
    expect(l.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const id = l.startRun({ kind: 'test', source: 'here', symbols: ['A', 'B'], timeframe: '1h', periodsPerYear: 8760, config: { x: 1 } });
    l.close();
    const again = Ledger.open(path);
    expect(again.runs()).toEqual([expect.objectContaining({ id, kind: 'test', symbols: ['A', 'B'], periodsPerYear: 8760, config: { x: 1 } })]);
    again.db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    again.close();
    expect(() => Ledger.open(path)).toThrow(/newer than this Arena/);
    expect(() => Ledger.open(join(dir, 'missing.db'), { readOnly: true })).toThrow(/cannot open the ledger .*missing\.db/);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
    // a file that is not a database fails at SQLite's first read, and says which file
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a ledger\n'.repeat(100));
    for (const readOnly of [true, false]) expect(() => Ledger.open(text, { readOnly })).toThrow(/cannot open the ledger .*notes\.txt: file is not a database/);
  });

  it('migrates a ledger of an earlier version: decisions (migration 8) keep their rows and their unique key, as a rowid table', () => {
    const path = join(dir, 'v7.db');
    const raw = databaseAtVersion(path, 7);
    const ins = raw.prepare('INSERT INTO decisions (run_id, t, ts, record) VALUES (?, ?, ?, ?)');
    for (let t = 0; t < 50; t++) ins.run(1, t, 1_700_000_000_000 + t * 3_600_000, JSON.stringify({ t, pad: 'x'.repeat(700) }));
    raw.close();
    const l = Ledger.open(path);
    expect(l.schemaVersion).toBe(MIGRATIONS.length);
    const rows = l.db.prepare('SELECT t, record FROM decisions WHERE run_id = 1 ORDER BY t').all() as { t: number; record: string }[];
    expect(rows.map((r) => r.t)).toEqual(Array.from({ length: 50 }, (_, t) => t));
    expect(JSON.parse(rows[49]!.record).t).toBe(49);
    expect(() => l.db.prepare('INSERT INTO decisions (run_id, t, ts, record) VALUES (1, 3, 0, ?)').run('{}')).toThrow(/UNIQUE/);
    expect((l.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'decisions'").get() as { sql: string }).sql).not.toMatch(/WITHOUT ROWID/);
    l.close();
  });

  it('gives every run a uid, distinct across runs and ledgers and kept on reopening; migration 10 gives the runs before it one', () => {
    const path = join(dir, 'v9.db');
    const raw = databaseAtVersion(path, 9);
    const old = raw.prepare("INSERT INTO runs (kind, started_at, source, symbols, timeframe, periods_per_year, config) VALUES ('paper', '2026-01-01', 'x', '[]', '1h', 8760, 'null')");
    old.run();
    old.run();
    raw.close();
    const l = Ledger.open(path);
    const id = l.startRun({ kind: 'test', source: 'here', symbols: ['A'], timeframe: '1h', periodsPerYear: 8760, config: null });
    const other = Ledger.open(join(dir, 'other.db'));
    const elsewhere = other.startRun({ kind: 'test', source: 'here', symbols: ['A'], timeframe: '1h', periodsPerYear: 8760, config: null });
    const uids = [...l.runs().map((r) => r.uid), other.runUid(elsewhere)];
    expect(l.runs().map((r) => r.id)).toEqual([1, 2, id]);
    // ids restart in every ledger: the other ledger's run is run 1 as well, under another uid
    expect(elsewhere).toBe(1);
    for (const u of uids) expect(u).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(uids).size).toBe(4);
    expect(() => l.db.prepare('UPDATE runs SET uid = ? WHERE id = 2').run(uids[0])).toThrow(/UNIQUE/);
    expect(() => l.runUid(99)).toThrow(/holds no run 99/);
    l.close();
    other.close();
    const again = Ledger.open(path, { readOnly: true });
    expect(again.runs().map((r) => r.uid)).toEqual(uids.slice(0, 3));
    again.close();
  });

  it('checkpoints the WAL from its own thread while a writer commits: the WAL stays bounded, nothing is lost', async () => {
    const path = join(dir, 'ckpt.db');
    const l = Ledger.open(path);
    l.db.exec('CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, v BLOB)');
    const cp = l.checkpointInBackground({ everyMs: 10, restartFrames: 1000 });
    expect(l.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const ins = l.db.prepare('INSERT INTO t (i, v) VALUES (?, ?)');
    const blob = Buffer.alloc(2000, 7);
    // a writer that never pauses but to let the event loop turn (a replay at full speed): ~2 frames per commit,
    // ~16,000 frames in all. The thread runs at a lower priority: on a busy machine it may barely run, and then the
    // writer's backstop (a WAL file past 4 x 1,000 frames) bounds the WAL instead.
    let maxFrames = 0;
    for (let i = 0; i < 8000; i++) {
      l.db.transaction(() => ins.run(i, blob))();
      l.afterCommit();
      maxFrames = Math.max(maxFrames, statSync(`${path}-wal`).size / 4120);
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    for (let waited = 0; cp.stats.checkpoints === 0 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(cp.stats.error).toBeUndefined();
    expect(cp.stats.checkpoints).toBeGreaterThan(0);
    // Bounded, in one of the ways the machine's scheduling allows (without a checkpointer the WAL would reach
    // ~16,000 frames): the WAL went back to its top at least once, by the thread's report or by the backstop; or the
    // thread kept up and the WAL never held more than the backstop's cap (4 x 1,000 frames). The tight bound is the
    // next test's, where nothing competes.
    const bounded = cp.stats.restarts + cp.stats.forced > 0 || maxFrames <= 4000;
    expect(bounded, `restarts ${cp.stats.restarts}, forced ${cp.stats.forced}, largest WAL ${maxFrames} frames`).toBe(true);
    l.close();
    expect(l.db.open).toBe(false);
    const again = Ledger.open(path, { readOnly: true });
    expect(again.db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 8000 });
    again.close();
  });

  it('close waits for the checkpoint thread: the folder can be deleted at once, checkpoints running or not', async () => {
    for (let k = 0; k < 10; k++) {
      const own = mkdtempSync(join(dir, 'close-'));
      const l = Ledger.open(join(own, 'l.db'));
      l.db.exec('CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, v BLOB)');
      const cp = l.checkpointInBackground({ everyMs: 1 });
      const ins = l.db.prepare('INSERT INTO t (i, v) VALUES (?, ?)');
      for (let i = 0; i < 300; i++) {
        l.db.transaction(() => ins.run(i, Buffer.alloc(2000, 1)))();
        l.afterCommit();
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      expect(cp.threadClosed).toBe(false);
      l.close();
      expect(cp.stats.error).toBeUndefined();
      expect(cp.threadClosed).toBe(true);
      // the thread's connection closed first, so the writer's was the last and SQLite removed the WAL with it
      expect(existsSync(join(own, 'l.db-wal'))).toBe(false);
      // nothing recreates a file under rmSync
      expect(() => rmSync(own, { recursive: true })).not.toThrow();
      expect(existsSync(own)).toBe(false);
    }
  });

  it('the writer checkpoints itself when the thread falls behind: a WAL file past the hard cap is truncated', () => {
    const path = join(dir, 'backstop.db');
    const l = Ledger.open(path);
    l.db.exec('CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY, v BLOB)');
    // a thread that reports far too rarely to keep up: only the backstop can bound the WAL
    const cp = l.checkpointInBackground({ everyMs: 60_000, restartFrames: 200, hardCapFrames: 400 });
    const ins = l.db.prepare('INSERT INTO t (i, v) VALUES (?, ?)');
    const blob = Buffer.alloc(2000, 7);
    let maxSize = 0;
    for (let i = 0; i < 2000; i++) {
      l.db.transaction(() => ins.run(i, blob))();
      l.afterCommit();
      maxSize = Math.max(maxSize, statSync(`${path}-wal`).size);
    }
    expect(cp.stats.restarts).toBe(0);
    expect(cp.stats.forced).toBeGreaterThan(3);
    // never more than the cap plus one check interval's frames (64 commits x ~2)
    expect(maxSize).toBeLessThan((400 + 200) * 4120);
    expect(() => new Checkpointer(l.db, path, { restartFrames: 100, hardCapFrames: 50 })).toThrow(/hardCapFrames must exceed restartFrames/);
    l.close();
    const again = Ledger.open(path, { readOnly: true });
    expect(again.db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
    again.close();
  });

  it('holds every proposal and outcome of a contest run, and its leaderboard reads back the frames', async () => {
    const { panel } = generateSyntheticMarket({ seed: 2, assets: 3, bars: 1200, timeframe: '1h' });
    const n = panel.nTimes * panel.nAssets;
    const rng = new Rng(1);
    const exposures = EXPERT_NAMES.map(() => Float64Array.from({ length: n }, () => Math.tanh(rng.normal())));
    const config = parseConfig({ contest: { agents: 8, minPairs: 16 } });
    const ledger = Ledger.open(join(dir, 'contest.db'));
    const runId = ledger.startRun({ kind: 'backtest', source: 'synthetic', symbols: panel.symbols, timeframe: '1h', periodsPerYear: panel.periodsPerYear(), config });
    const sink = new ContestLedger(ledger, runId, 100);
    const agents = researchTeam(8);
    const run = await runContest({ panel, bars: { exposures }, agents, settings: contestSettings(config), horizons: [1, 4, 24], cost: 0.0012, slot: 1 / 3, sink });
    sink.finish();
    const count = (t: string) => (ledger.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect(count('contest_proposals')).toBe(1200 * 8);
    expect(count('contest_outcomes')).toBe((1199 + 1196 + 1176) * 8);
    expect(count('contest_windows')).toBe(run.frames.length);
    // a proposal's blob is its float32 exposures per asset
    const row = ledger.db.prepare('SELECT exposures FROM contest_proposals WHERE run_id = ? AND ts = ? AND agent = 5').get(runId, panel.ts[700]) as { exposures: Buffer };
    expect(Array.from(new Float32Array(row.exposures.buffer, row.exposures.byteOffset, 3))).toEqual(Array.from(run.proposals.subarray((700 * 8 + 5) * 3, (700 * 8 + 6) * 3)));
    // the 4-bar outcome of the bar-700 proposal is known at bar 704
    const out = ledger.db.prepare('SELECT realized_ts FROM contest_outcomes WHERE run_id = ? AND ts = ? AND horizon = 4 AND agent = 0').get(runId, panel.ts[700]) as { realized_ts: number };
    expect(out.realized_ts).toBe(panel.ts[704]);
    const lb = readLeaderboard(ledger, runId);
    expect(lb.frames.length).toBe(run.frames.length);
    expect(lb.agents.map((a) => a.name)).toEqual(agents.map((a) => a.name));
    const annual = Math.sqrt(panel.periodsPerYear());
    run.frames.forEach((f, k) => {
      const g = lb.frames[k]!;
      expect(g.ts).toBe(f.ts);
      expect(g.cash).toBe(f.cash);
      // the track record (on by default): its t-statistic (null before it has one: NaN in the frame) and the withheld choices
      expect(g.recordT).toBe(Number.isNaN(f.recordT) ? null : f.recordT);
      expect(g.withheld).toBe(f.withheld);
      expect(g.entries.filter((e) => e.adopted).map((e) => e.agent).sort()).toEqual([...f.adopted].sort());
      for (const e of g.entries) {
        expect(e.realized).toBeCloseTo(f.realized[e.agent]! * annual, 9);
        const p = f.predicted[e.agent]!;
        if (Number.isFinite(p)) expect(e.predicted!).toBeCloseTo(p * annual, 9);
        else expect(e.predicted).toBeNull();
      }
    });
    expect(lb.frames.filter((f) => f.recordT !== null && f.recordT !== 0).length).toBeGreaterThan(0);
    expect(() => readLeaderboard(ledger, 99)).toThrow(/no contest run 99/);
    ledger.close();
  });
});
