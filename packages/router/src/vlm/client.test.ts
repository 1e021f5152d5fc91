/** VlmClient against a real local OpenAI-compatible HTTP server: answers, every failure kind, the cache, the env config. */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouterDecision } from '../decision.ts';
import { VlmClient, chatCompletionsUrl, featureSummary, vlmConfigFromEnv } from './index.ts';
import { type ChatServer, completion, startChatServer } from './testServer.ts';

// a valid 1x1 RGBA PNG (70 bytes)
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const FALLBACK_REGIME = [0.1, 0.2, 0.3, 0.4];
const FALLBACK_WEIGHTS = [0.6, 0.1, 0.1, 0.1, 0.1];
const fallback = (): RouterDecision => ({
  regime: Float64Array.from(FALLBACK_REGIME),
  weights: Float64Array.from(FALLBACK_WEIGHTS),
  source: 'model',
});

const VALID = {
  regime: { trend_up: 0.7, trend_down: 0.05, range: 0.15, volatile: 0.1 },
  weights: { trend: 0.5, reversal: 0.1, breakout: 0.2, positioning: 0.15, learned: 0.05 },
  rationale: 'steady green candles above a rising average',
};

interface Reply {
  readonly status?: number;
  /** a raw body; otherwise a chat completion whose message content is `content` */
  readonly raw?: string;
  readonly content?: string;
  readonly delayMs?: number;
}
interface Seen {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: any;
}

const replies = new Map<string, Reply>();
const seen: Seen[] = [];
let server: ChatServer;
let base = '';

beforeAll(async () => {
  server = await startChatServer(({ path, scenario, headers, body }, res) => {
    seen.push({ path, headers, body });
    const reply = replies.get(scenario) ?? { status: 404, raw: '{"error":"no such scenario"}' };
    const send = () => {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(reply.raw ?? completion(reply.content ?? ''));
    };
    if (reply.delayMs === undefined) send();
    else setTimeout(send, reply.delayMs).unref();
  });
  base = server.base;
});

afterAll(() => server.close());

/** A client whose requests go to the scenario `name` of the local server, answered by `reply`. */
function clientFor(name: string, reply: Reply, extra: { timeoutMs?: number; cacheSize?: number } = {}): VlmClient {
  replies.set(name, reply);
  return new VlmClient({ url: `${base}/${name}/v1`, model: 'test-vlm', apiKey: 'test-key', timeoutMs: 2000, ...extra });
}

const requestsTo = (name: string): Seen[] => seen.filter((s) => s.path.startsWith(`/${name}/`));

function expectFallback(decision: RouterDecision, kind: string): void {
  expect(decision.source).toBe('model');
  expect([...decision.regime]).toEqual(FALLBACK_REGIME);
  expect([...decision.weights]).toEqual(FALLBACK_WEIGHTS);
  expect(decision.fallbackReason).toMatch(new RegExp(`^vlm ${kind}: \\S`));
}

describe('VlmClient', () => {
  it('returns the model decision and sends the key, the model, the summary and the PNG', async () => {
    const client = clientFor('ok', { content: JSON.stringify(VALID) });
    const decision = await client.decide({ png: PNG, summary: 'BTC 1h summary' }, fallback);
    expect(decision.source).toBe('vlm');
    expect(decision.fallbackReason).toBeUndefined();
    expect(decision.rationale).toBe(VALID.rationale);
    expect([...decision.regime]).toEqual([0.7, 0.05, 0.15, 0.1].map((p) => expect.closeTo(p, 12)));
    expect([...decision.weights]).toEqual([0.5, 0.1, 0.2, 0.15, 0.05].map((w) => expect.closeTo(w, 12)));

    const [request] = requestsTo('ok');
    expect(request?.path).toBe('/ok/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(request?.body.model).toBe('test-vlm');
    expect(request?.body.temperature).toBe(0);
    expect(request?.body.max_tokens).toBe(300);
    expect(request?.body.response_format).toEqual({ type: 'json_object' });
    expect(request?.body.messages[0].role).toBe('system');
    expect(request?.body.messages[1].content).toEqual([
      { type: 'text', text: 'BTC 1h summary' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` } },
    ]);
    expect(client.stats).toMatchObject({ calls: 1, cacheHits: 0, ok: 1 });
  });

  it('accepts an answer in a ```json fence and renormalises sums within 0.02', async () => {
    const answer = { ...VALID, regime: { trend_up: 0.505, trend_down: 0.505, range: 0, volatile: 0 }, rationale: '  two\nlines ' };
    const client = clientFor('fenced', { content: '```json\n' + JSON.stringify(answer) + '\n```' });
    const decision = await client.decide({ png: PNG, summary: 's' }, fallback);
    expect(decision.source).toBe('vlm');
    expect([...decision.regime]).toEqual([0.5, 0.5, 0, 0]);
    expect(decision.rationale).toBe('two lines');
  });

  it('falls back on a timeout', async () => {
    const client = clientFor('slow', { content: JSON.stringify(VALID), delayMs: 1000 }, { timeoutMs: 200 });
    const started = performance.now();
    expectFallback(await client.decide({ png: PNG, summary: 's' }, fallback), 'timeout');
    expect(performance.now() - started).toBeLessThan(900);
    expect(client.stats.fallbacks.timeout).toBe(1);
  });

  it('falls back on a non-2xx status', async () => {
    const client = clientFor('http500', { status: 500, raw: '{"error":{"message":"overloaded"}}' });
    const decision = await client.decide({ png: PNG, summary: 's' }, fallback);
    expectFallback(decision, 'http');
    expect(decision.fallbackReason).toContain('500');
    expect(client.stats.fallbacks.http).toBe(1);
  });

  it('falls back when the body or the content is not JSON', async () => {
    const body = clientFor('notjson', { raw: '<html>bad gateway</html>' });
    expectFallback(await body.decide({ png: PNG, summary: 's' }, fallback), 'invalid-json');
    const content = clientFor('contentnotjson', { content: 'The market is trending up.' });
    expectFallback(await content.decide({ png: PNG, summary: 's' }, fallback), 'invalid-json');
    expect(body.stats.fallbacks['invalid-json'] + content.stats.fallbacks['invalid-json']).toBe(2);
  });

  it('falls back when the response has no choices', async () => {
    const client = clientFor('nochoices', { raw: '{"choices":[]}' });
    expectFallback(await client.decide({ png: PNG, summary: 's' }, fallback), 'invalid-answer');
  });

  it.each([
    ['a missing expert', { ...VALID, weights: { trend: 0.5, reversal: 0.1, breakout: 0.2, positioning: 0.2 } }, 'weights.learned'],
    ['a negative weight', { ...VALID, weights: { ...VALID.weights, trend: -0.1, reversal: 0.7 } }, 'weights.trend'],
    ['probabilities summing to 1.5', { ...VALID, regime: { ...VALID.regime, range: 0.65 } }, '1.500'],
    ['an extra key', { ...VALID, confidence: 0.9 }, 'confidence'],
    ['an empty rationale', { ...VALID, rationale: '   ' }, 'rationale'],
  ])('falls back on an answer with %s', async (_what, answer, mentioned) => {
    const client = clientFor('schema', { content: JSON.stringify(answer) });
    const decision = await client.decide({ png: PNG, summary: 's' }, fallback);
    expectFallback(decision, 'invalid-answer');
    expect(decision.fallbackReason).toContain(mentioned);
    expect(client.stats.fallbacks['invalid-answer']).toBe(1);
  });

  it('falls back when the connection is refused', async () => {
    // a port that was just listened on and closed again
    const closed = await startChatServer(() => undefined);
    await closed.close();
    const client = new VlmClient({ url: `${closed.base}/v1`, model: 'test-vlm', timeoutMs: 2000 });
    const decision = await client.decide({ png: PNG, summary: 's' }, fallback);
    expectFallback(decision, 'network');
    expect(decision.fallbackReason).toContain('ECONNREFUSED');
    expect(client.stats.fallbacks.network).toBe(1);
  });

  it('serves a repeated chart from the cache and shares a request in flight', async () => {
    const client = clientFor('cache', { content: JSON.stringify(VALID), delayMs: 20 });
    const [a, b] = await Promise.all([
      client.decide({ png: PNG, summary: 'same' }, fallback),
      client.decide({ png: PNG, summary: 'same' }, fallback),
    ]);
    expect(requestsTo('cache')).toHaveLength(1);
    const again = await client.decide({ png: PNG, summary: 'same' }, fallback);
    expect(requestsTo('cache')).toHaveLength(1);
    for (const decision of [a, b, again]) expect(decision.source).toBe('vlm');
    expect(client.stats).toMatchObject({ calls: 3, cacheHits: 2, ok: 1 });
    // a different summary is a different chart
    await client.decide({ png: PNG, summary: 'other' }, fallback);
    expect(requestsTo('cache')).toHaveLength(2);
  });

  it('evicts the least recently used decision beyond cacheSize', async () => {
    const client = clientFor('lru', { content: JSON.stringify(VALID) }, { cacheSize: 2 });
    for (const summary of ['a', 'b', 'a', 'c', 'a', 'b']) await client.decide({ png: PNG, summary }, fallback);
    // a, b requested; a hit; c requested (evicts b); a hit; b requested again
    expect(requestsTo('lru').map((s) => s.body.messages[1].content[0].text)).toEqual(['a', 'b', 'c', 'b']);
    expect(client.stats).toMatchObject({ calls: 6, cacheHits: 2, ok: 4 });
  });

  it('does not cache failures', async () => {
    const client = clientFor('flaky', { status: 503, raw: 'busy' });
    expectFallback(await client.decide({ png: PNG, summary: 's' }, fallback), 'http');
    replies.set('flaky', { content: JSON.stringify(VALID) });
    expect((await client.decide({ png: PNG, summary: 's' }, fallback)).source).toBe('vlm');
    expect(requestsTo('flaky')).toHaveLength(2);
    expect(client.stats).toMatchObject({ calls: 2, cacheHits: 0, ok: 1, fallbacks: { http: 1 } });
  });
});

describe('vlmConfigFromEnv', () => {
  it('is undefined without ARENA_VLM_URL and applies the defaults', () => {
    expect(vlmConfigFromEnv({})).toBeUndefined();
    expect(vlmConfigFromEnv({ ARENA_VLM_URL: '  ' })).toBeUndefined();
    expect(vlmConfigFromEnv({ ARENA_VLM_URL: 'http://localhost:8000/v1' })).toEqual({
      url: 'http://localhost:8000/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 20000,
    });
    expect(
      vlmConfigFromEnv({ ARENA_VLM_URL: 'https://api.example.com/v1', ARENA_VLM_MODEL: 'm', ARENA_VLM_KEY: 'k', ARENA_VLM_TIMEOUT_MS: '1500' }),
    ).toEqual({ url: 'https://api.example.com/v1', model: 'm', apiKey: 'k', timeoutMs: 1500 });
  });

  it('names the variable that is invalid', () => {
    expect(() => vlmConfigFromEnv({ ARENA_VLM_URL: 'http://x/v1', ARENA_VLM_TIMEOUT_MS: 'soon' })).toThrow(/ARENA_VLM_TIMEOUT_MS.*"soon"/);
    expect(() => vlmConfigFromEnv({ ARENA_VLM_URL: 'http://x/v1', ARENA_VLM_TIMEOUT_MS: '0' })).toThrow(/ARENA_VLM_TIMEOUT_MS/);
    expect(() => vlmConfigFromEnv({ ARENA_VLM_URL: 'not a url' })).toThrow(/ARENA_E_CONFIG: ARENA_VLM_URL "not a url" is not a URL/);
    expect(() => vlmConfigFromEnv({ ARENA_VLM_URL: 'ftp://x/v1' })).toThrow(/ARENA_VLM_URL/);
  });

  it('rejects an invalid client config with every problem at once', () => {
    expect(() => new VlmClient({ url: 'nope', model: 'm', timeoutMs: -1, cacheSize: 1.5 })).toThrow(
      /vlm\.url .*; vlm\.timeoutMs .*; vlm\.cacheSize/,
    );
  });
});

describe('request pieces', () => {
  it('targets /chat/completions once', () => {
    expect(chatCompletionsUrl('http://h/v1')).toBe('http://h/v1/chat/completions');
    expect(chatCompletionsUrl('http://h/v1/')).toBe('http://h/v1/chat/completions');
    expect(chatCompletionsUrl('http://h/v1/chat/completions')).toBe('http://h/v1/chat/completions');
  });

  it('writes the same summary whatever the key order', () => {
    const input = {
      symbol: 'BTC/USDT',
      timeframe: '1h',
      ts: Date.UTC(2024, 0, 2, 3),
      features: { vol_96: 0.012345678, ret_24: -1234.5678, mom_168: Number.NaN },
      exposures: { learned: 0.25, trend: 0.5, reversal: -0.3333 },
    };
    const summary = featureSummary(input);
    expect(summary).toBe(
      [
        'BTC/USDT 1h, bar 2024-01-02T03:00:00.000Z',
        'features: mom_168=n/a ret_24=-1235 vol_96=0.01235',
        'expert exposures: trend=+0.50 reversal=-0.33 learned=+0.25',
      ].join('\n'),
    );
    const reordered = { ...input, features: { mom_168: Number.NaN, ret_24: -1234.5678, vol_96: 0.012345678 }, exposures: { reversal: -0.3333, trend: 0.5, learned: 0.25 } };
    expect(featureSummary(reordered)).toBe(summary);
  });
});
