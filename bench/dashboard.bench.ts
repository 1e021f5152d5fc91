/**
 * dashboard: API latency p50/p99 under a loopback load (32 concurrent clients, 4,000 requests over status, equity,
 * fills, bars and a decision), WebSocket fan-out to 50 clients (time from the ledger commit to the last client's
 * message, p50/p99 over 200 steps), and the page's load time with 100 symbols and a week of 1m bars in Chromium.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@arena/core';
import { createDashboard } from '@arena/dashboard';
import { Ledger, PaperMetrics, daemonPipeline, PaperStore, runLoop } from '@arena/engine';
import { generateSyntheticMarket, replayPanel } from '@arena/streams';
import { WebSocket } from 'ws';
import { type Bench, quantile, sized } from './harness.ts';

/** bars in the ledger: the first 2,800 written before the load, the rest one by one for the fan-out */
const BARS = sized(3000, 2820);
const config = parseConfig({ experts: { weights: { trend: 0.4, breakout: 0.3, positioning: 0.3 } }, router: { mode: 'static' } });

async function ledgerWith(dir: string, assets: number, bars: number, timeframe: '1h' | '1m') {
  const { panel } = generateSyntheticMarket({ seed: 5, assets, bars, timeframe });
  const ledger = Ledger.open(join(dir, `l${assets}.db`));
  const { run } = PaperStore.openRun(ledger, { source: 'bench', symbols: panel.symbols, timeframe, periodsPerYear: panel.periodsPerYear(), config });
  const store = new PaperStore(ledger, run.runId);
  const pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: timeframe, config: config, periodsPerYear: panel.periodsPerYear() });
  return { panel, ledger, store, pipeline };
}

export const dashboardBench: Bench = {
  name: 'dashboard',
  description: 'API p50/p99 under loopback load, WebSocket fan-out to 50 clients, page load with 100 symbols in Chromium',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'arena-dash-bench-'));
    try {
      const { panel, ledger, store, pipeline } = await ledgerWith(dir, 10, BARS, '1h');
      await runLoop({ pipeline, store, metrics: new PaperMetrics('none', 'replay'), source: replayPanel(panel.slice(0, 2800), { speed: 'max' }), stopping: () => false, log: () => undefined });
      const view = Ledger.open(ledger.path, { readOnly: true });
      const app = await createDashboard({ ledger: view, mode: 'paper', backend: 'none', pollMs: 20 });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const decision = ((await (await fetch(`${base}/api/fills?limit=50`)).json()) as { decision: number | null }[]).find((f) => f.decision !== null)!.decision;
      const paths = ['/api/status', '/api/equity?maxPoints=1000', '/api/fills?limit=100', `/api/bars?symbol=${encodeURIComponent(panel.symbols[0]!)}&limit=1000`, `/api/decisions/${decision}`];
      const ms: number[] = [];
      let next = 0;
      const total = sized(4000, 200);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < total) {
            const p = paths[next++ % paths.length]!;
            const t0 = performance.now();
            const r = await fetch(base + p);
            await r.arrayBuffer();
            if (r.status !== 200) throw new Error(`${p}: ${r.status}`);
            ms.push(performance.now() - t0);
          }
        }),
      );
      const rps = total / ((performance.now() - started) / 1000);
      // fan-out: 50 clients, 200 new steps committed one by one
      const N = sized(50, 5);
      const clients = await Promise.all(Array.from({ length: N }, () => new Promise<WebSocket>((res) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
        ws.on('open', () => res(ws));
      })));
      const sentAt = new Map<number, number>();
      const lastArrival = new Map<number, number>();
      const received = new Map<number, number>();
      for (const c of clients) {
        c.on('message', (d) => {
          const m = JSON.parse(String(d)) as { type: string; t: number };
          if (m.type !== 'step') return;
          received.set(m.t, (received.get(m.t) ?? 0) + 1);
          lastArrival.set(m.t, performance.now());
        });
      }
      await new Promise((r) => setTimeout(r, 100));
      const rest = replayPanel(panel, { speed: 'max', after: panel.ts[2799]! });
      let t = 2800;
      for await (const bar of rest) {
        store.begin();
        const step = await pipeline.step(bar.ts, bar.row);
        store.writeStep(step, bar.row, pipeline.book.broker, bar.offset);
        store.commit();
        sentAt.set(t++, performance.now());
        await new Promise((r) => setTimeout(r, 5));
      }
      const end = Date.now() + 5000;
      while ([...received.values()].filter((n) => n === N).length < 200 - 2800 + BARS && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const lat = [...sentAt].filter(([k]) => received.get(k) === N).map(([k, s]) => lastArrival.get(k)! - s);
      for (const c of clients) c.close();
      // page load with 100 symbols x a week of 1m bars
      let pageMs: number | null = null;
      let pageNote = sized('needs /usr/bin/chromium', 'skipped under --quick');
      if (existsSync('/usr/bin/chromium') && sized(true, false)) {
        const big = await ledgerWith(dir, 100, 7 * 1440, '1m');
        await runLoop({ pipeline: big.pipeline, store: big.store, metrics: new PaperMetrics('none', 'replay'), source: replayPanel(big.panel, { speed: 'max' }), stopping: () => false, log: () => undefined });
        const bigView = Ledger.open(big.ledger.path, { readOnly: true });
        const bigApp = await createDashboard({ ledger: bigView, mode: 'ledger', backend: 'none' });
        await bigApp.listen({ host: '127.0.0.1', port: 0 });
        const { chromium } = await import('playwright-core');
        const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
        const page = await browser.newPage();
        const t0 = performance.now();
        await page.goto(`http://127.0.0.1:${(bigApp.server.address() as { port: number }).port}/`);
        await page.waitForFunction(() => /10080 bars/.test((globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } } }).document.getElementById('status').textContent ?? ''));
        await page.waitForSelector('#candles canvas');
        pageMs = performance.now() - t0;
        pageNote = '100 symbols x 10,080 1m bars; until the status bar and the first symbol\'s candles are drawn';
        await browser.close();
        await bigApp.close();
        bigView.close();
        big.ledger.close();
      }
      await app.close();
      view.close();
      ledger.close();
      const rows: [string, string, string][] = [
        ['API p50 / p99 (32 concurrent clients, 4,000 requests)', `${quantile(ms, 0.5).toFixed(2)} / ${quantile(ms, 0.99).toFixed(2)}`, 'ms'],
        ['API throughput', rps.toFixed(0), 'requests/s'],
        [`WebSocket fan-out to ${N} clients, commit -> last client (p50 / p99)`, lat.length ? `${quantile(lat, 0.5).toFixed(1)} / ${quantile(lat, 0.99).toFixed(1)}` : 'n/a', 'ms'],
        ['page load, 100 symbols, a week of 1m bars', pageMs === null ? `n/a (${pageNote})` : pageMs.toFixed(0), 'ms'],
      ];
      return {
        rows,
        json: {
          apiP50Ms: Number(quantile(ms, 0.5).toFixed(3)),
          apiP99Ms: Number(quantile(ms, 0.99).toFixed(3)),
          apiRequestsPerSec: Math.round(rps),
          wsClients: N,
          wsStepsDelivered: lat.length,
          wsFanoutP50Ms: lat.length ? Number(quantile(lat, 0.5).toFixed(2)) : null,
          wsFanoutP99Ms: lat.length ? Number(quantile(lat, 0.99).toFixed(2)) : null,
          pageLoadMs100Symbols: pageMs === null ? null : Math.round(pageMs),
          pageNote,
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
