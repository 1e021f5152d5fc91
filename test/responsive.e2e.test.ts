/**
 * A daemon that stays responsive: replaying flat out with the default pipeline (learned expert, router, selections
 * in a worker), it answers /healthz and /metrics within a second every time (p99 reported), stops within 5 s of a
 * SIGTERM leaving a resumable ledger; restarted, it answers /healthz while it rebuilds its books and while it catches
 * up the backlog of bars flat out (p99 of each reported), and the resumed run ends with the books of a run never
 * interrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, arena, killTracked, spawnArena } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-responsive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// a daemon a failed test left running is stopped before the next file starts
afterAll(killTracked);
// long enough that the replay is still stepping when the requests end (~1,300 bars/s here with the default pipeline)
const BARS = 12_000;
const MARKET = ['--synthetic', '--seed', '3', '--assets', '6', '--bars', String(BARS), '--router', 'model'];

/** `arena paper` on MARKET with its ops server on a free port: the process, its log so far, its exit and the server's URL. */
async function startServing(args: string[]) {
  const child = spawnArena(['paper', ...MARKET, ...args, '--port', '0']);
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let url: string | undefined;
  for (let i = 0; i < 600 && url === undefined; i++) {
    url = /serving \/healthz and \/metrics on (http:\/\/127\.0\.0\.1:\d+)/.exec(err)?.[1];
    if (url === undefined) await new Promise((r) => setTimeout(r, 100));
  }
  expect(url, err).toBeDefined();
  return { child, exited, url: url!, log: () => err };
}

describe('a responsive daemon (--speed max, default pipeline)', () => {
  it('answers every health and metrics request within 1 s, stops within 5 s of SIGTERM, resumes to the same books', async () => {
    const db = join(dir, 'interrupted.db');
    const { child, exited, url, log } = await startServing(['--speed', 'max', '--db', db]);
    const latencies: number[] = [];
    const end = Date.now() + 4000;
    // for 4 s, or until 70% of the bars are stepped (a machine twice as fast as this one would otherwise finish first)
    let steps = 0;
    for (let i = 0; Date.now() < end && steps < 0.7 * BARS; i++) {
      const t0 = performance.now();
      const r = await fetch(`${url}${i % 2 === 0 ? '/healthz' : '/metrics'}`, { signal: AbortSignal.timeout(1000) });
      const body = await r.text();
      expect(r.status).toBe(200);
      latencies.push(performance.now() - t0);
      if (i % 2 === 0) steps = (JSON.parse(body) as { steps: number }).steps;
      await new Promise((r) => setTimeout(r, 20));
    }
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    console.log(`health/metrics during --speed max: ${latencies.length} requests, p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`);
    expect(latencies.length).toBeGreaterThan(50);
    // still stepping (the replay has not finished)
    expect(log()).not.toMatch(/replay finished/);
    const t0 = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    const stopMs = performance.now() - t0;
    console.log(`SIGTERM to exit: ${stopMs.toFixed(0)} ms`);
    expect(code, log().slice(-2000)).toBe(0);
    expect(stopMs).toBeLessThan(5000);
    expect(log()).toMatch(/stopped after \d+ bars; run 1 resumes from the ledger/);
    // the ledger resumes (a rebuild of the bars stepped so far, then the rest caught up flat out, as after downtime
    // with a backlog waiting), health answered all along, and the run ends with the books of an uninterrupted one
    const { url: rurl, exited: resumedExit, log: rlog } = await startServing(['--speed', 'max', '--exit-at-end', '--db', db]);
    const phases: Record<string, number[]> = { rebuilding: [], ok: [] };
    for (;;) {
      const t0 = performance.now();
      let health: { status: string };
      try {
        health = (await (await fetch(`${rurl}/healthz`, { signal: AbortSignal.timeout(1000) })).json()) as { status: string };
      } catch (e) {
        // the server closes as the finished replay exits; before that, no request may fail or wait a second
        if (/replay finished/.test(rlog())) break;
        throw new Error(`/healthz during the resume: ${(e as Error).message}\n${rlog().slice(-2000)}`);
      }
      phases[health.status]?.push(performance.now() - t0);
      if (/replay finished/.test(rlog())) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const [phase, ms] of Object.entries(phases)) {
      ms.sort((a, b) => a - b);
      console.log(`/healthz while ${phase === 'ok' ? 'catching up the backlog' : 'rebuilding'}: ${ms.length} requests, p50 ${ms[ms.length >> 1]?.toFixed(1)} ms, p99 ${ms[Math.floor(ms.length * 0.99)]?.toFixed(1)} ms`);
      expect(ms.length, `${phase}: ${rlog().slice(-1000)}`).toBeGreaterThan(10);
    }
    expect(await resumedExit, rlog().slice(-2000)).toBe(0);
    expect(rlog()).toMatch(/resumed paper run 1/);
    const whole = arena(['paper', ...MARKET, '--speed', 'max', '--exit-at-end', '--db', join(dir, 'whole.db'), '--port', '0']);
    expect(whole.code, whole.stderr).toBe(0);
    const summary = (file: string) => JSON.parse(arena(['ledger', 'summary', '--db', file, '--json']).stdout) as { fills: number; finalEquity: number; bars: number };
    expect(summary(db)).toMatchObject({ bars: BARS, fills: summary(join(dir, 'whole.db')).fills, finalEquity: summary(join(dir, 'whole.db')).finalEquity });
  }, 180_000);
});
