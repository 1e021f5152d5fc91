/** VlmClient: asks an OpenAI-compatible vision-language model for a decision; any failure falls back, counted by kind. */
import { createHash } from 'node:crypto';
import { ERR, arenaError } from '@arena/core';
import type { RouterDecision } from '../decision.ts';
import { buildChatRequest } from './prompt.ts';
import { checkAnswer } from './schema.ts';

export interface VlmConfig {
  /** base URL of the API (`https://api.openai.com/v1`), or the full `.../chat/completions` endpoint */
  readonly url: string;
  readonly model: string;
  /** sent as `Authorization: Bearer <apiKey>` when set */
  readonly apiKey?: string;
  /** the whole request, body included; default 20000 */
  readonly timeoutMs?: number;
  /** default 300 */
  readonly maxTokens?: number;
  /** successful decisions kept (LRU); 0 turns the cache off; default 4096 */
  readonly cacheSize?: number;
}

export const VLM_DEFAULTS = { model: 'gpt-4o-mini', timeoutMs: 20_000, maxTokens: 300, cacheSize: 4096 } as const;

export const VLM_FAILURE_KINDS = ['timeout', 'network', 'http', 'invalid-json', 'invalid-answer'] as const;
export type VlmFailureKind = (typeof VLM_FAILURE_KINDS)[number];

export interface VlmStats {
  /** every decide() call */
  readonly calls: number;
  /** calls answered without a request of their own: from the cache, or by joining an identical request in flight */
  readonly cacheHits: number;
  /** requests that returned a valid answer */
  readonly ok: number;
  /** requests that failed, by kind (a caller that joined a failed request gets the fallback too, but is not counted again) */
  readonly fallbacks: Readonly<Record<VlmFailureKind, number>>;
}

/** The config from ARENA_VLM_URL / _MODEL / _KEY / _TIMEOUT_MS; undefined when ARENA_VLM_URL is unset (no VLM). */
export function vlmConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): VlmConfig | undefined {
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const url = value('ARENA_VLM_URL');
  if (url === undefined) return undefined;
  const problems: string[] = [];
  const urlProblem = checkUrl(url);
  if (urlProblem !== undefined) problems.push(`ARENA_VLM_URL ${urlProblem}`);
  const timeoutText = value('ARENA_VLM_TIMEOUT_MS');
  const timeoutMs = timeoutText === undefined ? VLM_DEFAULTS.timeoutMs : Number(timeoutText);
  if (timeoutText !== undefined && !(/^\d+$/.test(timeoutText) && timeoutMs > 0)) {
    problems.push(`ARENA_VLM_TIMEOUT_MS must be a positive whole number of milliseconds, got "${timeoutText}"`);
  }
  if (problems.length > 0) throw arenaError(ERR.CONFIG, problems.join('; '));
  const apiKey = value('ARENA_VLM_KEY');
  return {
    url,
    model: value('ARENA_VLM_MODEL') ?? VLM_DEFAULTS.model,
    ...(apiKey === undefined ? {} : { apiKey }),
    timeoutMs,
  };
}

function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `"${url}" must be an http(s) URL`;
}

/** `${url}/chat/completions`, unless the URL already names that endpoint. */
export function chatCompletionsUrl(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
}

/** One chart to decide on: the PNG and the text summary that go with it. */
export interface VlmRequest {
  readonly png: Buffer;
  readonly summary: string;
}

type Outcome =
  | { readonly ok: true; readonly decision: RouterDecision }
  | { readonly ok: false; readonly kind: VlmFailureKind; readonly detail: string };

export class VlmClient {
  readonly endpoint: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxTokens: number;
  readonly cacheSize: number;
  readonly #apiKey: string | undefined;
  readonly #cache = new Map<string, RouterDecision>();
  readonly #inFlight = new Map<string, Promise<Outcome>>();
  #calls = 0;
  #cacheHits = 0;
  #ok = 0;
  readonly #fallbacks: Record<VlmFailureKind, number> = { timeout: 0, network: 0, http: 0, 'invalid-json': 0, 'invalid-answer': 0 };

  constructor(config: VlmConfig) {
    const problems: string[] = [];
    const urlProblem = checkUrl(config.url);
    if (urlProblem !== undefined) problems.push(`vlm.url ${urlProblem}`);
    if (config.model.trim() === '') problems.push('vlm.model must not be empty');
    const timeoutMs = config.timeoutMs ?? VLM_DEFAULTS.timeoutMs;
    const maxTokens = config.maxTokens ?? VLM_DEFAULTS.maxTokens;
    const cacheSize = config.cacheSize ?? VLM_DEFAULTS.cacheSize;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) problems.push(`vlm.timeoutMs must be > 0, got ${timeoutMs}`);
    if (!(Number.isInteger(maxTokens) && maxTokens > 0)) problems.push(`vlm.maxTokens must be a positive integer, got ${maxTokens}`);
    if (!(Number.isInteger(cacheSize) && cacheSize >= 0)) problems.push(`vlm.cacheSize must be an integer >= 0, got ${cacheSize}`);
    if (problems.length > 0) throw arenaError(ERR.CONFIG, problems.join('; '));
    this.endpoint = chatCompletionsUrl(config.url);
    this.model = config.model;
    this.timeoutMs = timeoutMs;
    this.maxTokens = maxTokens;
    this.cacheSize = cacheSize;
    this.#apiKey = config.apiKey;
  }

  /** A snapshot of the counters. */
  get stats(): VlmStats {
    return { calls: this.#calls, cacheHits: this.#cacheHits, ok: this.#ok, fallbacks: { ...this.#fallbacks } };
  }

  /**
   * The model's decision for one chart, or `{...fallback(), fallbackReason: 'vlm <kind>: <detail>'}` on any failure;
   * never rejects. Successful decisions are cached per (chart, summary, model); identical calls in flight share one request.
   */
  async decide(req: VlmRequest, fallback: () => RouterDecision): Promise<RouterDecision> {
    this.#calls++;
    const key = createHash('sha256').update(req.png).update('\n').update(req.summary).update('\n').update(this.model).digest('base64');
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      this.#cache.delete(key); // re-insert: the Map's order is the LRU order
      this.#cache.set(key, cached);
      this.#cacheHits++;
      return copyOf(cached);
    }
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = this.#request(key, req);
      this.#inFlight.set(key, pending);
    } else {
      this.#cacheHits++;
    }
    const outcome = await pending;
    if (outcome.ok) return copyOf(outcome.decision);
    return { ...fallback(), fallbackReason: `vlm ${outcome.kind}: ${outcome.detail}` };
  }

  async #request(key: string, req: VlmRequest): Promise<Outcome> {
    let outcome: Outcome;
    try {
      outcome = await this.#ask(req);
    } catch (error) {
      outcome = { ok: false, kind: 'network', detail: describe(error) };
    }
    this.#inFlight.delete(key);
    if (outcome.ok) {
      this.#ok++;
      this.#remember(key, outcome.decision);
    } else {
      this.#fallbacks[outcome.kind]++;
    }
    return outcome;
  }

  #remember(key: string, decision: RouterDecision): void {
    if (this.cacheSize === 0) return;
    this.#cache.set(key, decision);
    while (this.#cache.size > this.cacheSize) {
      const oldest = this.#cache.keys().next();
      if (oldest.done === true) break;
      this.#cache.delete(oldest.value);
    }
  }

  async #ask(req: VlmRequest): Promise<Outcome> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    const body = JSON.stringify(buildChatRequest({ model: this.model, maxTokens: this.maxTokens }, req));
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.endpoint, { method: 'POST', headers, body, signal: controller.signal });
      status = response.status;
      text = await response.text(); // the body is under the same deadline
    } catch (error) {
      if (timedOut) return { ok: false, kind: 'timeout', detail: `no answer within ${this.timeoutMs} ms` };
      return { ok: false, kind: 'network', detail: describe(error) };
    } finally {
      clearTimeout(timer);
    }
    if (status < 200 || status > 299) return { ok: false, kind: 'http', detail: `status ${status} ${snippet(text)}` };
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      return { ok: false, kind: 'invalid-json', detail: `response body is not JSON: ${snippet(text)}` };
    }
    const choice = firstChoice(envelope);
    if (typeof choice.content !== 'string') {
      const why = typeof choice.refusal === 'string' ? `model refused: ${snippet(choice.refusal)}` : 'no choices[0].message.content in the response';
      return { ok: false, kind: 'invalid-answer', detail: why };
    }
    let answer: unknown;
    try {
      answer = JSON.parse(unfence(choice.content));
    } catch {
      const truncated = choice.finishReason === 'length' ? ` (cut at maxTokens ${this.maxTokens})` : '';
      return { ok: false, kind: 'invalid-json', detail: `answer is not JSON${truncated}: ${snippet(choice.content)}` };
    }
    const checked = checkAnswer(answer);
    return checked.ok ? checked : { ok: false, kind: 'invalid-answer', detail: snippet(checked.error, 240) };
  }
}

/** choices[0].message.{content, refusal} and choices[0].finish_reason, each only when present. */
function firstChoice(envelope: unknown): { content?: unknown; refusal?: unknown; finishReason?: unknown } {
  const choices = field(envelope, 'choices');
  const choice = Array.isArray(choices) ? (choices[0] as unknown) : undefined;
  const message = field(choice, 'message');
  return { content: field(message, 'content'), refusal: field(message, 'refusal'), finishReason: field(choice, 'finish_reason') };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

const FENCED = /^```[A-Za-z]*\s*([\s\S]*?)\s*```$/;

/** The JSON inside a ```json fence, or the text itself. */
function unfence(content: string): string {
  const trimmed = content.trim();
  return FENCED.exec(trimmed)?.[1] ?? trimmed;
}

/** The network error's own cause (`connect ECONNREFUSED 127.0.0.1:1234`) rather than fetch's `fetch failed`. */
function describe(error: unknown): string {
  const cause = field(error, 'cause');
  const message = field(cause, 'message') ?? field(cause, 'code') ?? field(error, 'message') ?? error;
  return snippet(String(message));
}

function snippet(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function copyOf(decision: RouterDecision): RouterDecision {
  return { ...decision, regime: decision.regime.slice(), weights: decision.weights.slice() };
}
