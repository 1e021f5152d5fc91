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
