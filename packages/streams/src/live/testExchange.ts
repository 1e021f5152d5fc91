/**
 * Test support: a local HTTP server on 127.0.0.1 that answers like Binance's public spot API for what the live
 * source asks (exchangeInfo, klines), serving a panel's bars under the given exchange symbols. Counts requests.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BarPanel, timeframeMs } from '@arena/core';

export interface TestExchange {
  readonly url: string;
  readonly requests: { exchangeInfo: number; klines: number; other: number };
  close(): Promise<void>;
}

export interface TestExchangeOptions {
  /** interleave this many malformed candles (NaN, negative, high < low, duplicate, out of order, future, off the grid) among the real ones, seeded */
  readonly malformed?: number;
  readonly seed?: number;
  /** the exchange serves no candle of asset `asset` from bar `bar` on (a market that went quiet, a feed that broke) */
  readonly silentFrom?: { readonly asset: number; readonly bar: number };
  /** the candle of asset `asset` at bar `bar` is served with its high below its low, on every request */
  readonly broken?: { readonly asset: number; readonly bar: number };
  /** klines requests after this many are never answered (an exchange that hangs) */
  readonly hangAfter?: number;
}

/** Serves `panel` as markets `symbols` (e.g. BTC/USDT), in the panel's asset order. */
export function startTestExchange(panel: BarPanel, symbols: readonly string[], opts: TestExchangeOptions = {}): Promise<TestExchange> {
  const ids = symbols.map((s) => s.replace('/', ''));
  const requests = { exchangeInfo: 0, klines: 0, other: 0 };
  const tf = timeframeMs(panel.timeframe);
  const A = panel.nAssets;
  // the malformed candles: one every `every` bars per asset, cycling through the kinds
  const every = opts.malformed ? Math.max(1, Math.floor((panel.nTimes * A) / opts.malformed)) : 0;
  let served = 0;
  const badCandle = (ts: number, [o, h, l, c, v]: string[], t: number): { ts: number; values: string[] } | undefined => {
    if (every === 0 || (served++ + (opts.seed ?? 0)) % every !== 0) return undefined;
    switch (t % 7) {
      case 0:
        return { ts, values: [o!, h!, l!, 'NaN', v!] };
      case 1:
        return { ts, values: [o!, h!, l!, String(-Number(c)), v!] };
      case 2:
        return { ts, values: [o!, String(Number(l) * 0.9), l!, c!, v!] };
      case 3:
        return { ts, values: [o!, h!, l!, String(Number(c) * 1.01), v!] };
      case 4:
        return { ts: ts - 3 * tf, values: [o!, h!, l!, c!, v!] };
      case 5:
        return { ts: Date.now() + 86_400_000 * 30, values: [o!, h!, l!, c!, v!] };
      default:
        return { ts: ts + tf / 2, values: [o!, h!, l!, c!, v!] };
    }
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/api/v3/exchangeInfo') {
      requests.exchangeInfo++;
      return json(200, {
        timezone: 'UTC',
        serverTime: Date.now(),
        rateLimits: [],
        exchangeFilters: [],
        symbols: symbols.map((s, a) => {
          const [base, quote] = s.split('/');
          return {
            symbol: ids[a],
            status: 'TRADING',
            baseAsset: base,
            baseAssetPrecision: 8,
            quoteAsset: quote,
            quotePrecision: 8,
            quoteAssetPrecision: 8,
            orderTypes: ['LIMIT', 'MARKET'],
            isSpotTradingAllowed: true,
            isMarginTradingAllowed: false,
            permissions: ['SPOT'],
            permissionSets: [['SPOT']],
            filters: [
              { filterType: 'PRICE_FILTER', minPrice: '0.00000001', maxPrice: '10000000', tickSize: '0.00000001' },
              { filterType: 'LOT_SIZE', minQty: '0.00000001', maxQty: '90000000', stepSize: '0.00000001' },
            ],
          };
        }),
      });
    }
    if (url.pathname === '/api/v3/klines') {
      requests.klines++;
      if (opts.hangAfter !== undefined && requests.klines > opts.hangAfter) return;
      const a = ids.indexOf(url.searchParams.get('symbol') ?? '');
      if (a < 0) return json(400, { code: -1121, msg: 'Invalid symbol.' });
      if (url.searchParams.get('interval') !== panel.timeframe) return json(400, { code: -1120, msg: 'Invalid interval.' });
      const start = Number(url.searchParams.get('startTime') ?? panel.ts[0]);
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
      const rows: (string | number)[][] = [];
      for (let t = 0; t < panel.nTimes && rows.length < limit; t++) {
        const ts = panel.ts[t]!;
        const i = t * A + a;
        if (ts < start || panel.present[i] !== 1) continue;
        if (opts.silentFrom !== undefined && a === opts.silentFrom.asset && t >= opts.silentFrom.bar) continue;
        const o = String(panel.open[i]);
        const h = String(opts.broken !== undefined && a === opts.broken.asset && t === opts.broken.bar ? panel.low[i]! * 0.9 : panel.high[i]);
        const l = String(panel.low[i]);
        const c = String(panel.close[i]);
        const v = String(panel.volume[i]);
        const bad = badCandle(ts, [o, h, l, c, v], t);
        rows.push([ts, o, h, l, c, v, ts + tf - 1, '0', 1, '0', '0', '0']);
        if (bad !== undefined) rows.push([bad.ts, ...bad.values, bad.ts + tf - 1, '0', 1, '0', '0', '0']);
      }
      return json(200, rows);
    }
    requests.other++;
    return json(404, { code: -1, msg: `no such endpoint ${url.pathname}` });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }) });
    });
  });
}
