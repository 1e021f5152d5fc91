/**
 * The dashboard in headless Chromium (Debian's chromium driven by playwright-core; never a downloaded browser):
 * the daemon replays with --dashboard on port 0 (its /healthz and /metrics on the same address); the page shows
 * candles and equity advancing live; every expert's band of the stacked weights is visible (pixels of its colour);
 * a click on a trade marker opens its decision with the chart image and weights; an open position's stop and target
 * are lines on its candles and rows of the positions table; a screenshot goes to the test output. Over a ledger
 * without a paper run (a backtest's), the page says so, and fills in once a daemon writes a run to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, arena } from './cli.ts';

const CHROMIUM = '/usr/bin/chromium';
/** every expert with a share, so that each must show its band */
const WEIGHTS = 'trend=0.3,reversal=0.15,breakout=0.2,positioning=0.15,learned=0.2';
/** the page's expert colours (apps/dashboard/ui/main.ts COLORS), in the router's expert order */
const EXPERT_COLORS: Record<string, [number, number, number]> = { trend: [0x1f, 0x5f, 0xbf], reversal: [0xe0, 0x7b, 0x00], breakout: [0x2e, 0x9e, 0x5b], positioning: [0x8a, 0x56, 0xc2], learned: [0xc2, 0x3b, 0x3b] };

/** Pixels of the image within a small distance of each colour. */
function colourCounts(png: Buffer): Record<string, number> {
  const img = PNG.sync.read(png);
  const out: Record<string, number> = Object.fromEntries(Object.keys(EXPERT_COLORS).map((k) => [k, 0]));
  for (let i = 0; i < img.data.length; i += 4) {
    for (const [k, [r, g, b]] of Object.entries(EXPERT_COLORS)) {
      if (Math.abs(img.data[i]! - r) + Math.abs(img.data[i + 1]! - g) + Math.abs(img.data[i + 2]! - b) < 12) out[k]!++;
    }
  }
  return out;
}

/** What the page functions reach through globalThis. */
interface Page {
  document: { getElementById(id: string): { textContent: string | null } | null };
  arena: { fills: () => { ts: number }[]; markerX: (ts: number) => number | null; levels: () => string[]; spans: (k: number) => { equity: { from: number; to: number } | null; logical: ({ from: number; to: number } | null)[]; timeAt: (number | null)[] }; equityTitle: () => string };
}
const why = existsSync(CHROMIUM) ? undefined : 'needs Debian chromium (apt-get install -y chromium)';
/** Starts `arena ...args`, waits (up to 60 s) until its stderr gives the dashboard's port; its stderr keeps growing. */
async function startArena(args: string[], address: RegExp, env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const end = Date.now() + 60_000;
  for (;;) {
    const m = address.exec(err);
    if (m) return { child, port: Number(m[1]), stderr: () => err };
    if (Date.now() > end) throw new Error(`no dashboard: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const launchChromium = async () => (await import('playwright-core')).chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });

const dir = mkdtempSync(join(tmpdir(), 'arena-dash-'));
const OUT = join(ROOT, 'out/test-dashboard');
let child: ChildProcess | undefined;
let ledgerOnly: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
  ledgerOnly?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(why !== undefined)(`dashboard in Chromium${why ? ` [${why}]` : ''}`, () => {
  it('live candles and equity, a trade marker opens its decision (chart image, weights), screenshot saved', async () => {
    // protective exits armed: open positions carry a stop and a target
    const config = join(dir, 'exits.json');
    writeFileSync(config, JSON.stringify({ exits: { stopLoss: 0.03, takeProfit: 0.06 } }));
    const daemon = await startArena(['paper', '--synthetic', '--assets', '3', '--bars', '3000', '--weights', WEIGHTS, '--config', config, '--speed', '40', '--db', join(dir, 'l.db'), '--dashboard', '0'], /dashboard on http:\/\/127\.0\.0\.1:(\d+)/, { ARENA_PROGRESS: '0' });
    child = daemon.child;
    const { port } = daemon;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      // every script error in the page, and every console error while the daemon runs (a 404, a refused update)
      const pageErrors: string[] = [];
      const consoleErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
      // let some trades happen first
      await new Promise((r) => setTimeout(r, 4000));
      // the run's span as the page loads: the equity chart fits it, then slides with the live bars, keeping its width
      const atLoad = (await (await fetch(`http://127.0.0.1:${port}/api/equity?maxPoints=5000`)).json()) as { ts: number }[];
      await page.goto(`http://127.0.0.1:${port}/`);
      // (the functions below run in the page: they reach the DOM through globalThis, the tests compile without DOM types)
      await page.waitForFunction(() => /bars/.test((globalThis as unknown as Page).document.getElementById('status')!.textContent ?? ''));
      const steps = async () => Number(/(\d+) bars/.exec((await page.textContent('#status')) ?? '')![1]);
      const first = await steps();
      // one address: the dashboard's server answers the daemon's /healthz and /metrics, and no other server was started
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^arena_steps_total \d+$/m);
      expect(daemon.stderr()).not.toMatch(/serving \/healthz/);
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { clock: string; lagMs: number | null };
      expect(status).toMatchObject({ clock: 'replay', lagMs: null });
      // the stacked weights: each expert's band is drawn (with the bands created bottom-first, the last one hid the rest);
      // the panel refreshes every 5 s, so wait for the first decisions to reach it
      await page.waitForFunction(() => /learned \d+%/.test((globalThis as unknown as Page).document.getElementById('weights-legend')!.textContent ?? ''), undefined, { timeout: 30_000 });
      await new Promise((r) => setTimeout(r, 500));
      const counts = colourCounts(await page.locator('#weights').screenshot());
      for (const [expert, n] of Object.entries(counts)) expect(n, `${expert}'s band in the weights panel (${JSON.stringify(counts)})`).toBeGreaterThan(300);
      expect(await page.textContent('#weights-legend')).toMatch(/trend \d+%.*reversal \d+%.*breakout \d+%.*positioning \d+%.*learned \d+%/);
      // the equity chart opens on the whole run (then shifts as live bars come in), and the weights chart shows the
      // same span: its points are at the equity's times (whitespace before the first decision), so the two charts'
      // logical ranges are the same; a spot run's equity title names no margin
      const spans = await page.evaluate(() => (globalThis as unknown as Page).arena.spans(5));
      const run = (atLoad[atLoad.length - 1]!.ts - atLoad[0]!.ts) / 1000;
      expect(spans.equity!.to - spans.equity!.from).toBeGreaterThan(0.8 * run);
      // the same point index is the same time in both (here before the first decision, where the weights have none)
      expect(spans.timeAt[0]).toBeGreaterThan(0);
      expect(spans.timeAt[1]).toBe(spans.timeAt[0]);
      // (a live bar shifts the equity chart; the weights chart follows on the range event, a frame later)
      const gap = async () => {
        const [eqRange, wRange] = (await page.evaluate(() => (globalThis as unknown as Page).arena.spans(5))).logical as [{ from: number; to: number }, { from: number; to: number }];
        return Math.max(Math.abs(wRange.from - eqRange.from), Math.abs(wRange.to - eqRange.to));
      };
      await expect.poll(gap, { timeout: 5000, interval: 20 }).toBeLessThan(1e-6);
      expect(await page.evaluate(() => (globalThis as unknown as Page).arena.equityTitle())).toBe('Equity, and drawdown (%) below it');
      expect(await page.locator('#candles canvas').count()).toBeGreaterThan(0);
      expect(await page.locator('#equity canvas').count()).toBeGreaterThan(0);
      // the stream advances the page without a reload
      await page.waitForFunction((n) => Number(/(\d+) bars/.exec((globalThis as unknown as Page).document.getElementById('status')!.textContent ?? '')![1]) > n + 20, first, { timeout: 20_000 });
      // click the latest trade marker on the candle chart; it opens the decision behind that fill: the order decided at
      // the bar before it (whether the fill came by the stream or the API). The page opens the fill nearest the click, so
      // a fill of this symbol that streams in between the look and the click opens instead: then the click is tried again
      const box = (await page.locator('#candles').boundingBox())!;
      const opened = (ts: number) => ` at ${new Date(ts - 3_600_000).toISOString()}:`;
      const inspector = async () => (await page.textContent('#inspector')) ?? '';
      let clicked = { x: null as number | null, ts: 0 };
      for (let attempt = 0; attempt < 3; attempt++) {
        clicked = await page.evaluate(() => {
          const a = (globalThis as unknown as Page).arena;
          const f = a.fills();
          const last = f.sort((x, y) => x.ts - y.ts)[f.length - 1]!;
          return { x: a.markerX(last.ts), ts: last.ts };
        });
        expect(clicked.x).not.toBeNull();
        await page.mouse.click(box.x + clicked.x!, box.y + box.height / 2);
        const until = Date.now() + 5000;
        while (!(await inspector()).includes(opened(clicked.ts)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        if ((await inspector()).includes(opened(clicked.ts))) break;
      }
      await page.waitForSelector('#decision-chart', { timeout: 10_000 });
      expect(await inspector()).toContain(opened(clicked.ts));
      const weights = (await page.textContent('#decision-weights')) ?? '';
      expect(weights).toMatch(/trend \d+%, reversal \d+%, breakout \d+%, positioning \d+%, learned \d+%/);
      const src = await page.getAttribute('#decision-chart', 'src');
      expect(src).toMatch(/^data:image\/png;base64,iVBOR/);
      expect(await page.isHidden('#banner')).toBe(true);
      // an open position: its row in the positions table, and its stop, target and entry as lines on its candles (the
      // replay goes on meanwhile, so a position may close between two looks: each symbol is tried until one shows them)
      const symbols = ((await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { symbols: string[] }).symbols;
      const levels = () => page.evaluate(() => (globalThis as unknown as Page).arena.levels());
      await expect
        .poll(
          async () => {
            for (const s of symbols) {
              await page.selectOption('#symbol', s);
              await new Promise((r) => setTimeout(r, 300));
              if ((await levels()).includes('stop')) return await levels();
            }
            return [];
          },
          { timeout: 20_000 },
        )
        .toEqual(expect.arrayContaining(['entry', 'stop', 'target']));
      expect(await page.textContent('#positions')).toMatch(/Stop.*Target/);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
      expect(existsSync(join(OUT, 'dashboard.png'))).toBe(true);
      expect(consoleErrors).toEqual([]);
      // the daemon goes away: the page says so and keeps trying to reconnect
      const shown = await page.inputValue('#symbol');
      child.kill('SIGTERM');
      await page.waitForSelector('#banner', { state: 'visible', timeout: 15_000 });
      expect(await page.textContent('#banner')).toMatch(/disconnected: reconnecting/);
      // what the user does meanwhile fails quietly too: another symbol's candles, a trade marker's decision (it says so)
      // (the selector goes back to the symbol whose candles are still shown)
      for (const other of symbols.filter((x) => x !== shown).slice(0, 2)) {
        await page.selectOption('#symbol', other);
        await expect.poll(() => page.inputValue('#symbol'), { timeout: 5000 }).toBe(shown);
      }
      // the latest of the shown symbol's markers inside the plot (the banner has moved the chart down meanwhile)
      const plot = (await page.locator('#candles').boundingBox())!;
      const marker = await page.evaluate((width) => {
        const a = (globalThis as unknown as Page).arena;
        const xs = a.fills().map((f) => a.markerX(f.ts)).filter((x): x is number => x !== null && x > 0 && x < width - 80);
        return xs.length === 0 ? null : Math.max(...xs);
      }, plot.width);
      if (marker !== null) {
        await page.mouse.click(plot.x + marker, plot.y + plot.height / 2);
        const says = () => page.textContent('#inspector');
        await expect.poll(says, { timeout: 5000 }).toMatch(/could not load decision/);
      }
      // its 5-second refresh fails meanwhile, quietly (the banner says why)
      await new Promise((r) => setTimeout(r, 6000));
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('a ledger without a paper run (a backtest\'s) says so, then fills in once a daemon writes a run to it', async () => {
    const out = join(dir, 'bt');
    const bt = arena(['backtest', '--synthetic', '--assets', '2', '--bars', '600', '--contest', '--agents', '8', '--no-baselines', '--out', out]);
    expect(bt.code, bt.stderr).toBe(0);
    const db = join(out, 'ledger.db');
    const dashboard = await startArena(['dashboard', '--db', db, '--port', '0'], /dashboard \(read-only\) on http:\/\/127\.0\.0\.1:(\d+)/);
    ledgerOnly = dashboard.child;
    const { port } = dashboard;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('#notice', { state: 'visible', timeout: 15_000 });
      expect(await page.textContent('#notice')).toMatch(/no paper run yet.*arena contest report --db/);
      // a daemon writes a run into the same ledger: within the page's 5 s refresh the notice goes and the run shows
      const paper = arena(['paper', '--synthetic', '--assets', '2', '--bars', '300', '--speed', 'max', '--exit-at-end', '--db', db]);
      expect(paper.code, paper.stderr).toBe(0);
      await page.waitForSelector('#notice', { state: 'hidden', timeout: 15_000 });
      expect(await page.textContent('#status')).toMatch(/2 symbols .* run \d+ · (\d+) bars/);
      expect(Number(/(\d+) bars/.exec((await page.textContent('#status')) ?? '')![1])).toBeGreaterThan(200);
      // the run's equity reached the status bar (it reads "equity -" without a run)
      expect(await page.textContent('#status')).toMatch(/equity \d+\.\d\d/);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
