/**
 * The live source: public OHLCV through ccxt (no keys; market data only: Arena never sends an order anywhere).
 * Polls each symbol's recent bars, keeps the closed ones (open time + timeframe <= now), and releases a bar time
 * once every symbol has it or is at or past it without it, or `releaseAfterMs` after its first candle came in (a symbol
 * the exchange stops answering for does not hold the others back; its bar is absent). A refused candle is counted
 * once: one with bad numbers is not asked for again, and a refusal repeated by later polls is not counted again. `baseUrl` points every REST endpoint of the exchange
 * at another origin (tests run a local server that answers like the exchange). Offline, the first request fails
 * and `liveSource` throws one clear line; later failures are retried with back-off.
 */
import { type OhlcvRow, type Timeframe, emptyOhlcvRow, timeframeMs } from '@arena/core';
import { barProblem, timeProblem } from '../validate.ts';
import type { Exchange } from 'ccxt';

export interface LiveOptions {
  readonly exchange: string;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  /** poll period, ms */
  readonly pollMs: number;
  /** another origin for every REST endpoint (e.g. http://127.0.0.1:PORT) */
  readonly baseUrl?: string;
  /** the ledger's last bar time: only later bars are released */
  readonly after?: number;
  readonly stopping: () => boolean;
  readonly log?: (s: string) => void;
  /** "now" for deciding which bars are closed (tests replay the past) */
  readonly now?: () => number;
  /** a candle the validator refused (never stepped): its kind and the reason, with symbol and time */
  readonly onReject?: (kind: string, reason: string) => void;
  /** the longest a bar time waits for the symbols that have not delivered it, from its first candle (wall clock, ms); default max(3 polls, 10 s) */
  readonly releaseAfterMs?: number;
}

/** refusals remembered so that a candle a later poll returns again is not counted again (the memory is bounded) */
const REFUSALS_KEPT = 4096;

export interface LiveBar {
  readonly ts: number;
  /** when the bar was released to the daemon (ms, wall clock) */
  readonly tsRecv: number;
  readonly row: OhlcvRow;
  readonly offset: { readonly source: string; readonly part: number; readonly position: string };
}

/** Rewrites every REST URL of the exchange onto `base`'s origin, keeping the paths. */
function rebase(urls: unknown, base: string): unknown {
  if (typeof urls === 'string') {
    const u = new URL(urls);
    return `${base.replace(/\/$/, '')}${u.pathname}`;
  }
  if (urls && typeof urls === 'object') return Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, rebase(v, base)]));
  return urls;
}

export async function createExchange(o: Pick<LiveOptions, 'exchange' | 'baseUrl'>): Promise<Exchange> {
  // loaded on first use: ccxt takes over a second to import, and only the live source needs it
  const ccxt = (await import('ccxt')).default;
  const Ctor = (ccxt as unknown as Record<string, new (c: object) => Exchange>)[o.exchange];
  if (typeof Ctor !== 'function') throw new Error(`unknown exchange ${o.exchange} (ccxt ${ccxt.version} knows ${ccxt.exchanges.length}: e.g. binance, kraken, coinbase)`);
  const ex = new Ctor({ enableRateLimit: true, timeout: 10_000, options: { fetchMarkets: { types: ['spot'] }, defaultType: 'spot' } });
  if (o.baseUrl !== undefined) ex.urls['api'] = rebase(ex.urls['api'], o.baseUrl) as Exchange['urls']['api'];
  if (!ex.has['fetchOHLCV']) throw new Error(`${o.exchange} has no public OHLCV in ccxt`);
  try {
    await ex.loadMarkets();
  } catch (e) {
    throw new Error(`cannot reach ${o.exchange}${o.baseUrl ? ` at ${o.baseUrl}` : ''}: ${(e as Error).message.split('\n')[0]!.slice(0, 200)} (the live source needs the exchange's public API; offline, use --source replay)`);
  }
  return ex;
}

const STOPPED = Symbol('stopped');

/** p, or STOPPED as soon as `stopping` says so (looked at every 50 ms); p's late outcome is ignored. */
function untilStopped<T>(p: Promise<T>, stopping: () => boolean): Promise<T | typeof STOPPED> {
  let timer: ReturnType<typeof setInterval> | undefined;
  const stopped = new Promise<typeof STOPPED>((resolve) => {
    timer = setInterval(() => {
      if (stopping()) resolve(STOPPED);
    }, 50);
  });
  p.catch(() => undefined);
  return Promise.race([p, stopped]).finally(() => clearInterval(timer));
}

export async function liveSource(o: LiveOptions): Promise<AsyncIterable<LiveBar>> {
  const ex = await createExchange(o);
  for (const s of o.symbols) if (ex.markets?.[s] === undefined) throw new Error(`${o.exchange} lists no market ${s}`);
  const A = o.symbols.length;
  const tf = timeframeMs(o.timeframe);
  const now = o.now ?? (() => Date.now());
  const bars = new Map<number, OhlcvRow>();
  /** per bar time: when its first candle came in (wall clock) */
  const firstAt = new Map<number, number>();
  const grace = o.releaseAfterMs ?? Math.max(3 * o.pollMs, 10_000);
  const refused = new Set<string>();
  /** a refusal is counted once per candle (symbol and every field): a later poll that returns it again adds nothing */
  const refuse = (a: number, candle: readonly number[], kind: string, reason: string) => {
    const key = `${a}|${candle.join(',')}|${kind}`;
    if (refused.has(key)) return;
    if (refused.size >= REFUSALS_KEPT) refused.clear();
    refused.add(key);
    o.onReject?.(kind, reason);
  };
  const lastSeen = new Float64Array(A).fill(o.after ?? -Infinity);
  let released = o.after ?? -Infinity;
  const log = o.log ?? (() => undefined);
  return {
    async *[Symbol.asyncIterator]() {
      let backoff = o.pollMs;
      while (!o.stopping()) {
        try {
          for (let a = 0; a < A; a++) {
            const since = Number.isFinite(lastSeen[a]!) ? lastSeen[a]! + tf : undefined;
            // a stop does not wait for a slow exchange (ccxt's own timeout is 10 s): the answer is dropped
            const rows = await untilStopped(ex.fetchOHLCV(o.symbols[a]!, o.timeframe, since, 500), o.stopping);
            if (rows === STOPPED) return;
            let previous = -Infinity;
            for (const candle of rows as number[][]) {
              const [ts, op, hi, lo, cl, vo] = candle as [number, number, number, number, number, number];
              const where = `${o.symbols[a]} ${Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts)}`;
              // every candle through the sources' one validator: time, then numbers; a bad one never reaches a step
              const problem =
                timeProblem(ts, o.timeframe, now()) ??
                (ts <= released ? { kind: 'order', reason: `at or before the last released bar ${new Date(released).toISOString()}` } : ts < previous ? { kind: 'order', reason: `out of order: after ${new Date(previous).toISOString()} in the same answer` } : undefined);
              if (problem !== undefined) {
                refuse(a, candle, problem.kind, `${where}: ${problem.reason}`);
                continue;
              }
              previous = Math.max(previous, ts);
              if (ts + tf > now()) continue; // still open: a later poll gets it closed
              const bad = barProblem(op, hi, lo, cl, vo);
              if (bad !== undefined) {
                refuse(a, candle, bad.kind, `${where}: ${bad.reason}`);
                // a closed candle does not get better: the bar is absent for this symbol, and the next poll asks from the one after
                if (ts > lastSeen[a]!) lastSeen[a] = ts;
                continue;
              }
              let row = bars.get(ts);
              if (row === undefined) {
                row = emptyOhlcvRow(A);
                bars.set(ts, row);
                firstAt.set(ts, Date.now());
              }
              if (row.present[a] === 1) {
                refuse(a, candle, 'duplicate', `${where}: a second candle for this bar (the first is kept)`);
                continue;
              }
              row.open[a] = op;
              row.high[a] = hi;
              row.low[a] = lo;
              row.close[a] = cl;
              row.volume[a] = vo;
              row.present[a] = 1;
              if (ts > lastSeen[a]!) lastSeen[a] = ts;
            }
          }
          backoff = o.pollMs;
        } catch (e) {
          backoff = Math.min(60_000, backoff * 2);
          log(`live: ${(e as Error).message.split('\n')[0]!.slice(0, 200)}; retrying in ${backoff} ms`);
        }
        for (const ts of [...bars.keys()].sort((x, y) => x - y)) {
          const row = bars.get(ts)!;
          // every symbol has it, or is at or past it without it (a gap, a refused candle)
          let settled = true;
          for (let a = 0; a < A; a++) if (row.present[a] !== 1 && !(lastSeen[a]! >= ts)) settled = false;
          if (!settled) {
            if (Date.now() - firstAt.get(ts)! < grace) break;
            const missing = o.symbols.filter((_, a) => row.present[a] !== 1);
            log(`live: ${new Date(ts).toISOString()} released without ${missing.join(', ')}: no candle within ${grace} ms of the first`);
          }
          bars.delete(ts);
          firstAt.delete(ts);
          released = ts;
          // a symbol that missed it asks from the next bar on (its late candle for this one would be refused anyway)
          for (let a = 0; a < A; a++) if (lastSeen[a]! < ts) lastSeen[a] = ts;
          yield { ts, tsRecv: Date.now(), row, offset: { source: `live ${o.exchange}`, part: 0, position: String(ts) } };
        }
        const until = Date.now() + backoff;
        while (Date.now() < until && !o.stopping()) await new Promise((r) => setTimeout(r, Math.min(100, backoff)));
      }
    },
  };
}
