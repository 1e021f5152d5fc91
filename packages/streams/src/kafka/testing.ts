/** Test support: generated malformed bar messages, each breaking one rule, with the kind of rejection expected. */
import { Rng } from '@arena/core';
import type { BarMessage } from './message.ts';

const msg = (m: object) => JSON.stringify(m);
const DEFAULT_GOOD: BarMessage = { venue: 'binance', symbol: 'BTC/USDT', tf: '1h', ts: 1_699_999_200_000, open: 100, high: 110, low: 95, close: 105, volume: 12 };

/** n generated malformed messages for `good`'s topic (its venue:symbol key), each breaking one rule. */
export function malformed(n: number, seed: number, good: BarMessage = DEFAULT_GOOD): { key: string | null; value: string | null; kind: string }[] {
  const rng = new Rng(seed);
  const out: { key: string | null; value: string | null; kind: string }[] = [];
  const key = `${good.venue}:${good.symbol}`;
  const makers: (() => { key: string | null; value: string | null; kind: string })[] = [
    () => ({ key, value: msg(good).slice(0, 1 + Math.floor(rng.next() * 40)), kind: 'json' }),
    () => ({ key, value: '', kind: 'empty' }),
    () => ({ key, value: '[1,2,3]', kind: 'shape' }),
    () => ({ key, value: msg({ ...good, close: String(good.close) }), kind: 'field' }),
    () => ({ key, value: msg({ ...good, symbol: 7 }), kind: 'field' }),
    () => ({ key, value: msg({ ...good, volume: undefined }), kind: 'field' }),
    () => ({ key, value: msg({ ...good, open: null }), kind: 'field' }),
    () => ({ key, value: msg(good).replace(/"close":[^,}]+/, '"close":1e999'), kind: 'number' }),
    () => ({ key, value: msg({ ...good, low: -1 - rng.next() * 100 }), kind: 'price' }),
    () => ({ key, value: msg({ ...good, close: 0 }), kind: 'price' }),
    () => ({ key, value: msg({ ...good, high: 1e13, close: 1e13 }), kind: 'price' }),
    () => ({ key, value: msg({ ...good, volume: -rng.next() - 0.1 }), kind: 'volume' }),
    () => ({ key, value: msg({ ...good, high: 90 }), kind: 'ohlc' }),
    () => ({ key: `${good.venue}:OTHER`, value: msg(good), kind: 'key' }),
    () => ({ key: null, value: msg(good), kind: 'key' }),
    () => ({ key: `${good.venue}:DOGE/USDT`, value: msg({ ...good, symbol: 'DOGE/USDT' }), kind: 'symbol' }),
    () => ({ key, value: msg({ ...good, tf: good.tf === '5m' ? '1h' : '5m' }), kind: 'timeframe' }),
    () => ({ key, value: msg({ ...good, ts: 1.5 }), kind: 'ts' }),
    () => ({ key, value: msg({ ...good, ts: -3_600_000 }), kind: 'ts' }),
    // seconds sent for milliseconds: a 1970 bar
    () => ({ key, value: msg({ ...good, ts: good.ts / 1000 }), kind: 'ts' }),
    () => ({ key, value: msg({ ...good, ts: Date.now() + 86_400_000 * (1 + Math.floor(rng.next() * 30)) }), kind: 'ts' }),
    // half past: off the timeframe's grid
    () => ({ key, value: msg({ ...good, ts: good.ts + 1_800_000 }), kind: 'grid' }),
  ];
  for (let i = 0; i < n; i++) out.push(makers[Math.floor(rng.next() * makers.length)]!());
  return out;
}

