import { describe, expect, it } from 'vitest';
import { BarAligner } from './aligner.ts';
import { type BarMessage, validateBar } from './message.ts';
import { malformed } from './testing.ts';

const universe = { timeframe: '1h' as const, symbols: new Set(['BTC/USDT', 'ETH/USDT']) };
const good: BarMessage = { venue: 'binance', symbol: 'BTC/USDT', tf: '1h', ts: 1_699_999_200_000, open: 100, high: 110, low: 95, close: 105, volume: 12 };
const msg = (m: object) => JSON.stringify(m);

describe('bar messages', () => {
  it('accepts a good bar and rejects 1,200 generated malformed ones, each with the right kind and a reason', () => {
    expect(validateBar('binance:BTC/USDT', msg(good), universe)).toEqual({ ok: true, bar: good });
    const bad = malformed(1200, 1);
    const kinds = new Map<string, number>();
    for (const b of bad) {
      const v = validateBar(b.key, b.value, universe);
      expect(v.ok, `${b.kind}: ${b.value}`).toBe(false);
      if (!v.ok) {
        expect(v.kind, v.reason).toBe(b.kind);
        expect(v.reason.length).toBeGreaterThan(10);
        kinds.set(v.kind, (kinds.get(v.kind) ?? 0) + 1);
      }
    }
    expect(kinds.size).toBe(13);
    expect(validateBar('binance:BTC/USDT', msg({ ...good, ts: good.ts + 1_800_000 }), universe)).toMatchObject({ kind: 'grid', reason: 'ts 2023-11-14T22:30:00.000Z is not on the 1h grid (bars open at multiples of 3600000 ms)' });
    expect(validateBar('binance:BTC/USDT', msg({ ...good, ts: good.ts / 1000 }), universe)).toMatchObject({ kind: 'ts', reason: expect.stringMatching(/before 2000 .*seconds instead of milliseconds/) });
    expect(validateBar('binance:BTC/USDT', msg({ ...good, high: 90 }), universe)).toMatchObject({ reason: 'high 90 / low 95 do not bound open 100 and close 105' });
  });
});

describe('bar aligner', () => {
  const bar = (symbol: string, ts: number): BarMessage => ({ ...good, symbol, ts });
  it('releases a time once every symbol has it, or once every symbol is past it; commits only what is released', () => {
    const al = new BarAligner(['BTC/USDT', 'ETH/USDT']);
    expect(al.add(bar('BTC/USDT', 1000), 0, 0)).toBe('queued');
    expect(al.take()).toEqual([]);
    expect(al.add(bar('BTC/USDT', 1000), 0, 1)).toBe('duplicate');
    expect(al.add(bar('ETH/USDT', 1000), 1, 0)).toBe('queued');
    const [first] = al.take();
    expect(first!.ts).toBe(1000);
    expect(Array.from(first!.row.present)).toEqual([1, 1]);
    // the step's positions are fixed when the time is handed over: what the commit will be once it is done
    expect([...first!.positions]).toEqual([
      [0, 2],
      [1, 1],
    ]);
    // nothing committed until the step is done
    expect([...al.commitPositions()]).toEqual([
      [0, 0],
      [1, 0],
    ]);
    al.done(1000);
    expect([...al.commitPositions()]).toEqual([
      [0, 2],
      [1, 1],
    ]);
    expect(al.add(bar('ETH/USDT', 1000), 1, 1)).toBe('late');
    // ETH skips 2000: once both symbols are past it, 2000 goes with ETH absent
    al.add(bar('BTC/USDT', 2000), 0, 2);
    al.add(bar('ETH/USDT', 3000), 1, 2);
    expect(al.take()).toEqual([]);
    al.add(bar('BTC/USDT', 3000), 0, 3);
    const out = al.take();
    expect(out.map((b) => b.ts)).toEqual([2000, 3000]);
    expect(Array.from(out[0]!.row.present)).toEqual([1, 0]);
    // taken in one call, 2000's positions stop at 3000's messages (a crash between the two steps loses neither);
    // 3000's pass them
    expect([...out[0]!.positions]).toEqual([
      [0, 3],
      [1, 2],
    ]);
    expect([...out[1]!.positions]).toEqual([
      [0, 4],
      [1, 3],
    ]);
    // the commit holds at their first messages until they are done
    expect([...al.commitPositions()]).toEqual([
      [0, 2],
      [1, 2],
    ]);
    // a flush releases an incomplete time
    al.done(2000);
    al.done(3000);
    al.add(bar('BTC/USDT', 4000), 0, 4);
    expect(al.take().length).toBe(0);
    expect(al.take(true).map((b) => b.ts)).toEqual([4000]);
  });
});
