/** The live source through the daemon, against a local server on 127.0.0.1 that answers like Binance's public API. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSyntheticMarket } from '@arena/streams';
import { startTestExchange } from '@arena/streams/testing';
import { ROOT, arena, killTracked, spawnArena } from './cli.ts';
import { countIn, readRows } from './ledgerDb.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// a daemon a failed test left running is stopped before the next file starts
afterAll(killTracked);
const WEIGHTS = ['--weights', 'trend=0.4,breakout=0.3,positioning=0.3'];
const EQUITY = 'SELECT t, ts, equity, cash FROM equity ORDER BY t';
describe('arena paper --source live (ccxt, at its boundary)', () => {
  it('trades the bars a Binance-like server serves, with the books of a replay of the same bars', async () => {
    const { panel } = generateSyntheticMarket({ seed: 42, assets: 2, bars: 600, timeframe: '1h' });
    const reference = join(dir, 'replay.db');
    expect(arena(['paper', '--synthetic', '--assets', '2', '--bars', '600', ...WEIGHTS, '--speed', 'max', '--exit-at-end', '--db', reference, '--port', '0']).code).toBe(0);
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT']);
    const db = join(dir, 'live.db');
    const started = Date.now();
    const child = spawnArena(['paper', '--source', 'live', '--exchange', 'binance', '--exchange-url', ex.url, '--symbols', 'BTC/USDT,ETH/USDT', '--timeframe', '1h', '--poll-ms', '50', ...WEIGHTS, '--db', db, '--port', '0']);
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const end = Date.now() + 60_000;
      for (;;) {
        const n = countIn(db, 'SELECT COUNT(*) AS n FROM equity');
        if (n === 600) break;
        if (Date.now() > end) throw new Error(`only ${n} bars: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGTERM');
      expect(await exit, err).toBe(0);
    } finally {
      await ex.close();
    }
    expect(err).toMatch(/from live binance at http:\/\/127\.0\.0\.1:\d+/);
    expect(readRows(db, EQUITY)).toEqual(readRows(reference, EQUITY));
    expect(ex.requests.other).toBe(0);
    // each step records when its bar came in (the wall clock while the daemon ran, in bar order); the summary gives
    // the lag behind the bars' close for a live run, none for a replay
    const recv = (readRows(db, 'SELECT ts_recv FROM equity ORDER BY t') as { ts_recv: number | null }[]).map((r) => r.ts_recv!);
    expect(recv).toHaveLength(600);
    expect(recv.every((r, i) => r >= started && r <= Date.now() && (i === 0 || r >= recv[i - 1]!))).toBe(true);
    const summary = (file: string) => JSON.parse(arena(['ledger', 'summary', '--db', file, '--json']).stdout) as { receiveLag: { steps: number; p50S: number; maxS: number } | null };
    const lag = summary(db).receiveLag!;
    expect(lag.steps).toBe(600);
    // the server's candles are history: each came in long after its close, the oldest the latest
    expect(lag.maxS).toBeCloseTo((recv[0]! - (panel.ts[0]! + 3_600_000)) / 1000, 0);
    expect(summary(reference).receiveLag).toBeNull();
    expect(arena(['ledger', 'summary', '--db', db]).stdout).toMatch(/bars received after their close: p50 [\d.]+ s, p99 [\d.]+ s, max [\d.]+ s \(600 steps\)/);
  }, 90_000);

  it('perpetuals: funding from market.fundingDir settles bar by bar as in a replay of the same bars', async () => {
    const { panel } = generateSyntheticMarket({ seed: 42, assets: 2, bars: 300, timeframe: '1h' });
    // 8-hourly rates of both signs, the same for the replay's symbols and the exchange's
    const fundingDir = join(dir, 'funding');
    mkdirSync(fundingDir);
    for (const [k, names] of [['SYN0_USD', 'BTC_USDT'], ['SYN1_USD', 'ETH_USDT']].entries()) {
      const rows = Array.from({ length: 40 }, (_, i) => `${panel.ts[0]! + i * 8 * 3_600_000},${[0.0001, -0.0003, 0.0002][(i + k) % 3]}`);
      for (const name of names) writeFileSync(join(fundingDir, `${name}.csv`), ['ts,funding_rate', ...rows].join('\n') + '\n');
    }
    const config = join(dir, 'perp.json');
    writeFileSync(config, JSON.stringify({ market: { kind: 'perp', leverage: 2, fundingDir } }));
    const reference = join(dir, 'perp-replay.db');
    const r = arena(['paper', '--synthetic', '--assets', '2', '--bars', '300', ...WEIGHTS, '--config', config, '--speed', 'max', '--exit-at-end', '--db', reference, '--port', '0']);
    expect(r.code, r.stderr).toBe(0);
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT']);
    const db = join(dir, 'perp-live.db');
    const child = spawnArena(['paper', '--source', 'live', '--exchange', 'binance', '--exchange-url', ex.url, '--symbols', 'BTC/USDT,ETH/USDT', '--timeframe', '1h', '--poll-ms', '50', ...WEIGHTS, '--config', config, '--db', db, '--port', '0']);
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const end = Date.now() + 60_000;
      while (countIn(db, 'SELECT COUNT(*) AS n FROM equity') < 300) {
        if (Date.now() > end) throw new Error(`not every bar: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGTERM');
      expect(await exit, err).toBe(0);
    } finally {
      await ex.close();
    }
    const FUNDING = 'SELECT t, asset, rate, amount FROM funding ORDER BY t, asset';
    const paid = readRows(reference, FUNDING) as { amount: number }[];
    expect(paid.length).toBeGreaterThan(20);
    expect(paid.some((f) => f.amount > 0) && paid.some((f) => f.amount < 0)).toBe(true);
    expect(readRows(db, FUNDING)).toEqual(paid);
    expect(readRows(db, EQUITY)).toEqual(readRows(reference, EQUITY));
  }, 90_000);

  it('offline (nothing answers) it stops at once with a clear message and exit 2', () => {
    const r = arena(['paper', '--source', 'live', '--exchange-url', 'http://127.0.0.1:9', '--symbols', 'BTC/USDT', '--timeframe', '1h', '--db', join(dir, 'off.db'), '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach binance at http:\/\/127\.0\.0\.1:9: .*use --source replay/);
  }, 60_000);
});
