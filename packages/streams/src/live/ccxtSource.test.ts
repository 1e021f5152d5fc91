import { describe, expect, it } from 'vitest';
import { generateSyntheticMarket } from '../synthetic.ts';
import { liveSource } from './ccxtSource.ts';
import { startTestExchange } from './testExchange.ts';

describe('live source (ccxt) at its boundary: a local server that answers like Binance', () => {
  const { panel } = generateSyntheticMarket({ seed: 3, assets: 2, bars: 700, timeframe: '1h' });
  // one hole: asset 1 has no bar at row 300
  panel.present[300 * 2 + 1] = 0;

  it('polls public OHLCV through ccxt and releases every closed bar time once, in order, with the exchange values', async () => {
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT']);
    try {
      let stop = false;
      const src = await liveSource({ exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', pollMs: 20, baseUrl: ex.url, stopping: () => stop });
      const got: { ts: number; close: number[]; present: number[] }[] = [];
      for await (const bar of src) {
        got.push({ ts: bar.ts, close: Array.from(bar.row.close), present: Array.from(bar.row.present) });
        if (got.length === 700) stop = true;
      }
      expect(got.map((g) => g.ts)).toEqual(Array.from(panel.ts));
      expect(got[123]!.close).toEqual([panel.close[246], panel.close[247]]);
      expect(got[300]!.present).toEqual([1, 0]);
      // 500 bars per request: two pages per symbol at least, and the markets once
      expect(ex.requests.exchangeInfo).toBe(1);
      expect(ex.requests.klines).toBeGreaterThanOrEqual(4);
      expect(ex.requests.other).toBe(0);
    } finally {
      await ex.close();
    }
  });

  it('rejects 1,000+ malformed candles (NaN, negative, high < low, duplicate, out of order, future, off the grid) with reasons, counted; only the real bars come out', async () => {
    const big = generateSyntheticMarket({ seed: 8, assets: 2, bars: 3000, timeframe: '1h' }).panel;
    const ex = await startTestExchange(big, ['BTC/USDT', 'ETH/USDT'], { malformed: 1100 });
    try {
      let stop = false;
      const rejected = new Map<string, number>();
      const reasons: string[] = [];
      const src = await liveSource({
        exchange: 'binance',
        symbols: ['BTC/USDT', 'ETH/USDT'],
        timeframe: '1h',
        pollMs: 10,
        baseUrl: ex.url,
        stopping: () => stop,
        onReject: (kind, reason) => {
          rejected.set(kind, (rejected.get(kind) ?? 0) + 1);
          if (reasons.length < 50) reasons.push(reason);
        },
      });
      const got: { ts: number; close: number[]; open: number[] }[] = [];
      for await (const bar of src) {
        got.push({ ts: bar.ts, close: Array.from(bar.row.close), open: Array.from(bar.row.open) });
        if (got.length === big.nTimes) stop = true;
      }
      const total = [...rejected.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(1000);
      for (const kind of ['number', 'price', 'ohlc', 'duplicate', 'ts', 'grid']) expect(rejected.get(kind) ?? 0, `${kind}: ${JSON.stringify([...rejected])}`).toBeGreaterThan(50);
      expect(reasons.every((r) => /^(BTC|ETH)\/USDT \S+: .{10,}/.test(r))).toBe(true);
      // nothing of it reached the output: exactly the panel's bars and values
      expect(got.map((g) => g.ts)).toEqual(Array.from(big.ts));
      got.forEach((g, t) => expect([g.close, g.open]).toEqual([[big.close[2 * t], big.close[2 * t + 1]], [big.open[2 * t], big.open[2 * t + 1]]]));
    } finally {
      await ex.close();
    }
  });

  it('a symbol the exchange stops answering for does not hold the others back: its bars go absent after releaseAfterMs, said in the log', async () => {
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT'], { silentFrom: { asset: 1, bar: 400 } });
    try {
      let stop = false;
      const lines: string[] = [];
      const src = await liveSource({ exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', pollMs: 20, releaseAfterMs: 300, baseUrl: ex.url, stopping: () => stop, log: (l) => lines.push(l) });
      const got: { ts: number; present: number[] }[] = [];
      const t0 = Date.now();
      for await (const bar of src) {
        got.push({ ts: bar.ts, present: Array.from(bar.row.present) });
        if (got.length === 700) stop = true;
      }
      expect(got.map((g) => g.ts)).toEqual(Array.from(panel.ts));
      expect(got[399]!.present).toEqual([1, 1]);
      expect(got.slice(400).every((g) => g.present[0] === 1 && g.present[1] === 0)).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      expect(lines.some((l) => /released without ETH\/USDT: no candle within 300 ms of the first/.test(l))).toBe(true);
    } finally {
      await ex.close();
    }
  });

  it('a closed candle with bad numbers is refused once, however many polls follow, and its bar goes out without it', async () => {
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT'], { broken: { asset: 1, bar: 699 } });
    try {
      let stop = false;
      const refused: string[] = [];
      const src = await liveSource({ exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', pollMs: 10, releaseAfterMs: 60_000, baseUrl: ex.url, stopping: () => stop, onReject: (kind, reason) => refused.push(`${kind} ${reason}`) });
      const got: { ts: number; present: number[] }[] = [];
      const polling = setInterval(() => {
        // keep polling well after the last bar is out: a refusal must not be counted again
        if (got.length === 700 && ex.requests.klines >= 40) stop = true;
      }, 10);
      for await (const bar of src) got.push({ ts: bar.ts, present: Array.from(bar.row.present) });
      clearInterval(polling);
      expect(got).toHaveLength(700);
      // the last bar did not wait out releaseAfterMs: the refused candle counts as seen
      expect(got[699]!.present).toEqual([1, 0]);
      expect(ex.requests.klines).toBeGreaterThanOrEqual(40);
      expect(refused).toEqual([expect.stringMatching(/^ohlc ETH\/USDT \S+: .*high/)]);
    } finally {
      await ex.close();
    }
  });

  it('a stop does not wait for an exchange that hangs (ccxt would wait 10 s): the source ends within a few polls', async () => {
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT'], { hangAfter: 4 });
    try {
      let stop = false;
      const src = await liveSource({ exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', pollMs: 20, baseUrl: ex.url, stopping: () => stop });
      let bars = 0;
      let stoppedAt = 0;
      const hung = setInterval(() => {
        if (ex.requests.klines > 4 && stoppedAt === 0) (stoppedAt = Date.now()), (stop = true);
      }, 20);
      for await (const _ of src) bars++;
      clearInterval(hung);
      expect(stoppedAt).toBeGreaterThan(0);
      expect(Date.now() - stoppedAt).toBeLessThan(1000);
      expect(bars).toBeGreaterThan(0);
    } finally {
      await ex.close();
    }
  });

  it('resumes after the ledger time, and says clearly when the exchange cannot be reached or lacks a market', async () => {
    const ex = await startTestExchange(panel, ['BTC/USDT', 'ETH/USDT']);
    try {
      let stop = false;
      const src = await liveSource({ exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1h', pollMs: 20, baseUrl: ex.url, after: panel.ts[649]!, stopping: () => stop });
      const ts: number[] = [];
      for await (const bar of src) {
        ts.push(bar.ts);
        if (ts.length === 50) stop = true;
      }
      expect(ts).toEqual(Array.from(panel.ts.subarray(650)));
      await expect(liveSource({ exchange: 'binance', symbols: ['DOGE/USDT'], timeframe: '1h', pollMs: 20, baseUrl: ex.url, stopping: () => true })).rejects.toThrow(/lists no market DOGE\/USDT/);
    } finally {
      await ex.close();
    }
    await expect(liveSource({ exchange: 'binance', symbols: ['BTC/USDT'], timeframe: '1h', pollMs: 20, baseUrl: 'http://127.0.0.1:9', stopping: () => true })).rejects.toThrow(/cannot reach binance at http:\/\/127\.0\.0\.1:9: .*use --source replay/);
    await expect(liveSource({ exchange: 'nosuchex', symbols: ['BTC/USDT'], timeframe: '1h', pollMs: 20, stopping: () => true })).rejects.toThrow(/unknown exchange nosuchex/);
  });
});
