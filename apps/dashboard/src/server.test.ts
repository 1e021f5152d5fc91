import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@arena/core';
import { Ledger, PaperMetrics, type Pipeline, PaperStore, daemonPipeline, runLoop } from '@arena/engine';
import { generateSyntheticMarket, replayPanel } from '@arena/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createDashboard } from './server.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-dashboard-'));
const config = parseConfig({ experts: { weights: { trend: 0.5, breakout: 0.5 } } });
const { panel } = generateSyntheticMarket({ seed: 3, assets: 3, bars: 600, timeframe: '1h' });
let ledger: Ledger;
let store: PaperStore;
let pipeline: Pipeline;

beforeAll(async () => {
  ledger = Ledger.open(join(dir, 'ledger.db'));
  const { run } = PaperStore.openRun(ledger, { source: 'test', symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config });
  store = new PaperStore(ledger, run.runId);
  pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: config, periodsPerYear: panel.periodsPerYear() });
  // the first 500 bars now; the rest arrive while a stream client listens
  await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'replay'), source: replayPanel(panel.slice(0, 500), { speed: 'max' }), stopping: () => false, log: () => undefined });
});
afterAll(() => {
  ledger.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard API (fastify inject)', () => {
  it('status: mode, backend, symbols and progress', async () => {
    const app = await createDashboard({ ledger, mode: 'ledger', backend: 'wasm', ui: false });
    const r = await app.inject('/api/status');
    expect(r.statusCode).toBe(200);
    const s = r.json();
    expect(s).toMatchObject({ mode: 'ledger', backend: 'wasm', symbols: panel.symbols, timeframe: '1h', steps: 500 });
    expect(s.lastTs).toBe(new Date(panel.ts[499]!).toISOString());
    await app.close();
  });

  it('books and series: bars, fills (with their decisions), equity, positions, orders, router weights', async () => {
    const app = await createDashboard({ ledger, mode: 'ledger', backend: 'none', ui: false });
    const bars = (await app.inject(`/api/bars?symbol=${encodeURIComponent(panel.symbols[1]!)}&limit=100`)).json();
    expect(bars).toHaveLength(100);
    expect(bars[99].close).toBe(panel.close[499 * 3 + 1]);
    const fills = (await app.inject('/api/fills?limit=5')).json();
    expect(fills.length).toBe(5);
    expect(fills[0].id).toBeGreaterThan(fills[4].id);
    expect(fills.some((f: { decision: number | null }) => f.decision !== null)).toBe(true);
    const eq = (await app.inject('/api/equity?maxPoints=50')).json();
    expect(eq.length).toBeLessThanOrEqual(51);
    expect(eq[eq.length - 1].ts).toBe(panel.ts[499]);
    expect((await app.inject('/api/positions')).json()).toHaveLength(3);
    expect((await app.inject('/api/orders?limit=3')).json()).toHaveLength(3);
    const w = (await app.inject('/api/router?limit=10')).json();
    expect(Object.values(w[0].weights as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // the last 10 decisions, or with maxPoints every k-th over the whole run and the last one
    const all = (await app.inject('/api/router?limit=20000')).json() as { ts: number }[];
    expect(all.length).toBeGreaterThan(40);
    expect(w.map((p: { ts: number }) => p.ts)).toEqual(all.slice(-10).map((p) => p.ts));
    const sparse = (await app.inject('/api/router?maxPoints=20')).json() as { ts: number }[];
    const k = Math.ceil(all.length / 20);
    const expected = all.filter((_, i) => i % k === 0 || i === all.length - 1).map((p) => p.ts);
    expect(sparse.map((p) => p.ts)).toEqual(expected);
    expect(sparse.length).toBeLessThanOrEqual(21);
    // from `since` on: the decisions at or after it, numbered from there
    const from = all[10]!.ts;
    const later = (await app.inject(`/api/router?maxPoints=1000&since=${from}`)).json() as { ts: number }[];
    expect(later.map((p) => p.ts)).toEqual(all.slice(10).map((p) => p.ts));
    expect((await app.inject(`/api/router?maxPoints=5&since=${all[all.length - 1]!.ts + 1}`)).json()).toEqual([]);
    expect((await app.inject('/api/router?maxPoints=0')).statusCode).toBe(400);
    await app.close();
  });

  it('a decision: every ordered asset with weights, exposures, attribution and the PNG chart the router saw', async () => {
    const app = await createDashboard({ ledger, mode: 'ledger', backend: 'none', ui: false });
    const fill = ((await app.inject('/api/fills?limit=50')).json() as { decision: number | null }[]).find((f) => f.decision !== null)!;
    const d = (await app.inject(`/api/decisions/${fill.decision}`)).json();
    expect(d.id).toBe(fill.decision);
    const a = d.assets[0];
    expect(Object.keys(a.weights)).toEqual(['trend', 'reversal', 'breakout', 'positioning', 'learned']);
    expect(Object.values(a.attribution as Record<string, number>).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    expect(Buffer.from(a.chart, 'base64').subarray(1, 4).toString()).toBe('PNG');
    await app.close();
  });

  it('bad parameters get 400 with the schema message, unknown ids and symbols 404', async () => {
    const app = await createDashboard({ ledger, mode: 'ledger', backend: 'none', ui: false });
    const bad = await app.inject('/api/fills?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/querystring\/limit must be >= 1/);
    expect((await app.inject('/api/bars')).json().message).toMatch(/must have required property 'symbol'/);
    expect((await app.inject('/api/equity?colour=red')).statusCode).toBe(400);
    expect((await app.inject('/api/decisions/abc')).statusCode).toBe(400);
    const none = await app.inject('/api/decisions/999999');
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/no decision at bar 999999/);
    expect((await app.inject('/api/bars?symbol=NOPE')).json().message).toMatch(/unknown symbol NOPE; the run trades SYN0\/USD/);
    await app.close();
  });

  it('controls need the bearer token (401), a ledger-only dashboard has none to offer (409), the daemon acts (200)', async () => {
    const ro = await createDashboard({ ledger, mode: 'ledger', backend: 'none', token: 's3cret', ui: false });
    expect((await ro.inject({ method: 'POST', url: '/api/control/pause' })).statusCode).toBe(401);
    expect((await ro.inject({ method: 'POST', url: '/api/control/pause', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await ro.inject({ method: 'POST', url: '/api/control/pause', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(409);
    expect((await ro.inject({ method: 'POST', url: '/api/control/explode', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(400);
    await ro.close();
    const calls: string[] = [];
    // a daemon that cannot take a control now (rebuilding, stopping, its run ended) says why: 409, nothing queued
    let refusal: string | undefined;
    const act = (kind: string) => (refusal !== undefined ? refusal : void calls.push(kind));
    const live = await createDashboard({ ledger, mode: 'paper', backend: 'none', token: 's3cret', ui: false, controls: { pause: () => act('pause'), resume: () => act('resume'), flatten: () => act('flatten') } });
    const ok = await live.inject({ method: 'POST', url: '/api/control/flatten', headers: { authorization: 'Bearer s3cret' } });
    expect(ok.statusCode).toBe(200);
    expect(calls).toEqual(['flatten']);
    refusal = 'the daemon is rebuilding its books';
    const busy = await live.inject({ method: 'POST', url: '/api/control/pause', headers: { authorization: 'Bearer s3cret' } });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().message).toBe('pause not taken: the daemon is rebuilding its books');
    expect(calls).toEqual(['flatten']);
    // without a configured token the controls stay shut
    const open = await createDashboard({ ledger, mode: 'paper', backend: 'none', ui: false, controls: { pause: () => void calls.push('x'), resume: () => undefined, flatten: () => undefined } });
    expect((await open.inject({ method: 'POST', url: '/api/control/pause', headers: { authorization: 'Bearer ' } })).statusCode).toBe(401);
    expect(calls).toEqual(['flatten']);
    await live.close();
    await open.close();
  });

  it('the WebSocket pushes each new step (bar, equity, fills) as the ledger gets it', async () => {
    const app = await createDashboard({ ledger, mode: 'paper', backend: 'none', ui: false, pollMs: 50 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const got: { type: string; t?: number; bars?: Record<string, number[]> }[] = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d))));
    await new Promise((r) => ws.on('open', r));
    await new Promise((r) => setTimeout(r, 200));
    await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'replay'), source: replayPanel(panel, { speed: 'max', after: panel.ts[499]! }), stopping: () => false, log: () => undefined });
    const end = Date.now() + 5000;
    while (got.filter((m) => m.type === 'step').length < 100 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const steps = got.filter((m) => m.type === 'step');
    expect(got[0]!.type).toBe('hello');
    expect(steps.map((m) => m.t)).toEqual(Array.from({ length: 100 }, (_, i) => 500 + i));
    expect(steps[0]!.bars![panel.symbols[0]!]![3]).toBe(panel.close[500 * 3]);
    ws.close();
    // it takes no messages: a client's 1 MB frame closes that client (1009, too big) and nothing else
    const big = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    await new Promise((r) => big.on('open', r));
    const closed = new Promise<number>((r) => big.on('close', (code) => r(code)));
    big.send(Buffer.alloc(1 << 20));
    expect(await closed).toBe(1009);
    expect((await app.inject({ method: 'GET', url: '/api/status' })).statusCode).toBe(200);
    await app.close();
  });
});
