/** VlmRouter against a real local OpenAI-compatible server: held answers, per-kind fallbacks, the PNG it sends, concurrency, the cache. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPERT_NAMES, parseConfig } from '@arena/core';
import { createExperts, runExpertBatch } from '@arena/experts';
import { generateSyntheticMarket } from '@arena/streams';
import { N_EXPERTS, N_REGIMES } from './decision.ts';
import { StaticRouter } from './factory.ts';
import type { RoutingSeries } from './router.ts';
import { DEFAULT_CHART } from './spec.ts';
import { VlmClient } from './vlm/index.ts';
import { type ChatServer, completion, startChatServer } from './vlm/testServer.ts';
import { VlmRouter } from './vlmRouter.ts';

const EVERY = 16;
const TIMEOUT_MS = 300;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const market = generateSyntheticMarket({ seed: 11, assets: 2, bars: 200, timeframe: '1h' });
const panel = market.panel;
const A = panel.nAssets;
const T = panel.nTimes;
const barMs = panel.ts[1]! - panel.ts[0]!;
const FIRST = DEFAULT_CHART.window - 1;
/** decision bars: FIRST, FIRST + EVERY, ... < T */
const DECISION_BARS = Array.from({ length: Math.ceil((T - FIRST) / EVERY) }, (_, k) => FIRST + k * EVERY);
/** asset 1 has no bar at this decision bar: no ask, the local weights stay for its window */
const ABSENT_BAR = DECISION_BARS[3]!;
{
  const cell = ABSENT_BAR * A + 1;
  for (const column of [panel.open, panel.high, panel.low, panel.close, panel.volume]) column[cell] = Number.NaN;
  panel.present[cell] = 0;
}
const config = parseConfig({});
const ctx = { nAssets: A, periodsPerYear: panel.periodsPerYear() };
const experts = createExperts(config.experts).map((e) => runExpertBatch(e, panel, ctx).exposure);
const local = new StaticRouter({ trend: 1, reversal: 2, breakout: 3, positioning: 4, learned: 0 });

/** decision index k = (t - FIRST) / EVERY: asset 0's answer differs per window so a held answer is its own window's */
const trendWeight = (k: number) => 0.2 + 0.05 * k;
const answerFor = (k: number) => ({
  regime: { trend_up: 0.7, trend_down: 0.1, range: 0.1, volatile: 0.1 },
  weights: Object.fromEntries(EXPERT_NAMES.map((n) => [n, n === 'trend' ? trendWeight(k) : (1 - trendWeight(k)) / 4])),
  rationale: `window ${k}`,
});
const VLM_REGIME = [0.7, 0.1, 0.1, 0.1];
const vlmWeights = (k: number) => EXPERT_NAMES.map((n) => (n === 'trend' ? trendWeight(k) : (1 - trendWeight(k)) / 4));

/** in the main scenario asset 1 fails, the kind chosen by decision index; elsewhere every ask is answered */
const FAILURES = ['invalid-json', 'http', 'timeout', 'invalid-answer'] as const;
const failureAt = (k: number) => FAILURES[k % FAILURES.length]!;

interface Seen {
  readonly scenario: string;
  readonly summary: string;
  readonly imageUrl: string;
  readonly symbol: string;
  readonly t: number;
}

const seen: Seen[] = [];
const inFlight = new Map<string, number>();
const maxInFlight = new Map<string, number>();
let server: ChatServer;
let base = '';

beforeAll(async () => {
  server = await startChatServer(({ scenario, body }, res) => {
    const now = (inFlight.get(scenario) ?? 0) + 1;
    inFlight.set(scenario, now);
    maxInFlight.set(scenario, Math.max(now, maxInFlight.get(scenario) ?? 0));
    // 'close' also fires when the client aborts (timeout), so an abandoned request leaves the count
    res.on('close', () => inFlight.set(scenario, (inFlight.get(scenario) ?? 1) - 1));
    const summary: string = body.messages[1].content[0].text;
    const imageUrl: string = body.messages[1].content[1].image_url.url;
    const head = /^(\S+) (\S+), bar (\S+)$/.exec(summary.split('\n')[0] ?? '');
    const symbol = head?.[1] ?? '';
    const t = head ? (Date.parse(head[3]!) - panel.ts[0]!) / barMs : Number.NaN;
    seen.push({ scenario, summary, imageUrl, symbol, t });
    // anonymised asks carry no bar to read: one answer for all
    const k = scenario === 'anon' ? 0 : (t - FIRST) / EVERY;
    let status = 200;
    let reply = completion(JSON.stringify(answerFor(k)));
    let delayMs = scenario === 'paced' ? 15 : 2;
    if (scenario === 'main' && symbol === panel.symbols[1]) {
      const kind = failureAt(k);
      if (kind === 'invalid-json') reply = '<html>bad gateway</html>';
      if (kind === 'http') [status, reply] = [500, '{"error":{"message":"overloaded"}}'];
      if (kind === 'timeout') delayMs = TIMEOUT_MS * 3;
      if (kind === 'invalid-answer') reply = completion(JSON.stringify({ ...answerFor(k), confidence: 0.9 }));
    }
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(reply);
    }, delayMs).unref();
  });
  base = server.base;
});

afterAll(() => server.close());

// these scenarios read the asset and the bar from the summary, so they ask with them (anonymize: false)
const routerFor = (scenario: string, concurrency: number, anonymize = false) =>
  new VlmRouter(new VlmClient({ url: `${base}/${scenario}/v1`, model: 'm', timeoutMs: TIMEOUT_MS }), local, DEFAULT_CHART, EVERY, concurrency, anonymize);
const requestsTo = (scenario: string) => seen.filter((s) => s.scenario === scenario);

/** the (decision bar, asset) pairs that have a bar */
const JOBS = DECISION_BARS.flatMap((t) => [0, 1].filter((a) => panel.present[t * A + a] === 1).map((a) => ({ t, a })));

/** 'N kind' counts from the note's `fell back: ...` list */
function fallbacksInNote(note: string): Record<string, number> {
  const list = /fell back: (.*)$/.exec(note)?.[1] ?? '';
  return Object.fromEntries(list.split(', ').filter(Boolean).map((item) => {
    const [n, ...kind] = item.split(' ');
    return [kind.join(' '), Number(n)];
  }));
}

const row = (values: Float32Array, cell: number, width: number) => [...values.subarray(cell * width, (cell + 1) * width)];
const close = (values: readonly number[]) => values.map((v) => expect.closeTo(v, 6));

describe('VlmRouter', () => {
  let routing: RoutingSeries;
  let localRouting: RoutingSeries;
  let router: VlmRouter;

  beforeAll(async () => {
    router = routerFor('main', 3);
    localRouting = await local.route(panel);
    routing = await router.route(panel, experts);
  });

  it('asks once per decision bar and present asset', () => {
    expect(DECISION_BARS).toEqual([63, 79, 95, 111, 127, 143, 159, 175, 191]);
    expect(JOBS).toHaveLength(2 * DECISION_BARS.length - 1);
    const requests = requestsTo('main');
    expect(requests).toHaveLength(JOBS.length);
    const asked = requests.map((s) => `${s.t}:${panel.symbols.indexOf(s.symbol)}`).sort();
    expect(asked).toEqual(JOBS.map(({ t, a }) => `${t}:${a}`).sort());
  });

  it('holds the VLM answer on asset 0 for [t, t + every) and keeps the local router elsewhere', () => {
    expect(routing.source).toBe('vlm');
    expect(routing.nTimes).toBe(T);
    expect(routing.nAssets).toBe(A);
    for (let t = 0; t < T; t++) {
      for (let a = 0; a < A; a++) {
        const cell = t * A + a;
        const k = Math.floor((t - FIRST) / EVERY);
        const fromVlm = a === 0 && t >= FIRST;
        const where = `bar ${t} asset ${a}`;
        expect(row(routing.weights, cell, N_EXPERTS), where).toEqual(close(fromVlm ? vlmWeights(k) : row(localRouting.weights, cell, N_EXPERTS)));
        expect(row(routing.regime, cell, N_REGIMES), where).toEqual(close(fromVlm ? VLM_REGIME : row(localRouting.regime, cell, N_REGIMES)));
        const failed = a === 1 && t >= FIRST && DECISION_BARS[k] !== ABSENT_BAR;
        expect(routing.fellBack?.[cell], where).toBe(failed ? 1 : 0);
      }
    }
    // the local router is not the VLM's answer anywhere, so the comparisons above tell them apart
    expect(row(localRouting.weights, 0, N_EXPERTS)).toEqual(close([0.1, 0.2, 0.3, 0.4, 0]));
  });

  it('counts answered asks and fallbacks by kind in the note', () => {
    const failedBars = DECISION_BARS.filter((t) => t !== ABSENT_BAR);
    const expected: Record<string, number> = {};
    for (const t of failedBars) {
      const kind = `vlm ${failureAt((t - FIRST) / EVERY)}`;
      expected[kind] = (expected[kind] ?? 0) + 1;
    }
    expect(expected).toEqual({ 'vlm invalid-json': 3, 'vlm http': 2, 'vlm timeout': 2, 'vlm invalid-answer': 1 });
    expect(routing.note).toContain(`${JOBS.length} asks, ${DECISION_BARS.length} answered, fell back: `);
    expect(routing.note.startsWith(`${router.note}; `)).toBe(true);
    expect(fallbacksInNote(routing.note)).toEqual(expected);
    expect(router.client.stats).toMatchObject({
      calls: JOBS.length,
      cacheHits: 0,
      ok: DECISION_BARS.length,
      fallbacks: { 'invalid-json': 3, http: 2, timeout: 2, 'invalid-answer': 1, network: 0 },
    });
  });

  it('sends a 256x256 PNG data URL and a summary naming the symbol, the timeframe and the bar', () => {
    for (const request of requestsTo('main')) {
      const prefix = 'data:image/png;base64,';
      expect(request.imageUrl.startsWith(prefix)).toBe(true);
      const png = Buffer.from(request.imageUrl.slice(prefix.length), 'base64');
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(png.toString('latin1', 12, 16)).toBe('IHDR');
      // the 64 px chart enlarged 4x
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([256, 256]);
      expect(panel.symbols).toContain(request.symbol);
      expect(request.summary).toContain(request.symbol);
      expect(request.summary.split('\n')[0]).toBe(`${request.symbol} ${panel.timeframe}, bar ${new Date(panel.ts[request.t]!).toISOString()}`);
      expect(request.summary).toMatch(/^expert exposures: trend=[-+]\d/m);
    }
  });

  it('serves the answered asks from the cache on a second route; only the failed ones are asked again', async () => {
    const before = requestsTo('main').length;
    const again = await router.route(panel, experts);
    const repeated = requestsTo('main').slice(before);
    expect(repeated.map((s) => s.symbol)).toEqual(new Array(JOBS.length - DECISION_BARS.length).fill(panel.symbols[1]));
    expect(router.client.stats.cacheHits).toBe(DECISION_BARS.length);
    expect([...again.weights]).toEqual([...routing.weights]);
    expect([...again.regime]).toEqual([...routing.regime]);
    expect([...(again.fellBack ?? [])]).toEqual([...(routing.fellBack ?? [])]);
  });

  it('anonymised (the default): the summary names neither the asset nor a date, and the answers are used', async () => {
    const anon = await routerFor('anon', 2, true).route(panel, experts);
    const asked = requestsTo('anon');
    expect(asked).toHaveLength(JOBS.length);
    for (const r of asked) {
      expect(r.summary.split('\n')[0]).toBe(`${panel.timeframe} bars (asset and dates withheld)`);
      for (const sym of panel.symbols) expect(r.summary).not.toContain(sym);
      // no year (a number 1900-2099 that is not part of a decimal), no ISO date or time
      expect(r.summary).not.toMatch(/(?<![\d.])(19|20)\d\d(?![\d.])|\d{4}-\d\d-\d\d|T\d\d:\d\d/);
    }
    expect(anon.note).toMatch(/anonymised/);
    const cell = DECISION_BARS[1]! * A;
    expect(row(anon.weights, cell, N_EXPERTS)).toEqual(close(vlmWeights(0)));
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    await routerFor('paced', 3).route(panel, experts);
    expect(requestsTo('paced')).toHaveLength(JOBS.length);
    expect(maxInFlight.get('paced')).toBeLessThanOrEqual(3);
    expect(maxInFlight.get('paced')).toBeGreaterThanOrEqual(2);
    await routerFor('serial', 1).route(panel, experts);
    expect(requestsTo('serial')).toHaveLength(JOBS.length);
    expect(maxInFlight.get('serial')).toBe(1);
  });
});
