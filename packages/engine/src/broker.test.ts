import { describe, expect, it } from 'vitest';
import { BarPanel, parseConfig } from '@arena/core';
import { PaperBroker } from './broker.ts';

/** One asset; rows of [open, high, low, close, volume]; NaN open marks a missing bar. */
function panelOf(rows: number[][]): BarPanel {
  const p = new BarPanel(['X/USD'], '1h', Float64Array.from(rows.map((_, i) => i * 3_600_000)));
  rows.forEach(([o, h, l, c, v], t) => {
    if (Number.isNaN(o)) return;
    p.open[t] = o!;
    p.high[t] = h!;
    p.low[t] = l!;
    p.close[t] = c!;
    p.volume[t] = v!;
    p.present[t] = 1;
  });
  return p;
}

const broker = (over: Record<string, number>) =>
  new PaperBroker(1, parseConfig({ broker: { initialCash: 10_000, feeBps: 10, halfSpreadBps: 5, impactCoef: 0, maxParticipation: 1, ...over } }).broker);

describe('PaperBroker', () => {
  it('fills at the next open plus the half-spread and charges the taker fee on the notional', () => {
    const p = panelOf([
      [100, 101, 99, 100, 1000],
      [102, 103, 101, 102, 1000],
    ]);
    const b = broker({});
    b.markClose(p, 0);
    b.submit(0, 10);
    b.executeOpen(p, 1);
    const price = 102 * (1 + 5e-4);
    const fee = 10 * price * 10e-4;
    expect(b.fills.length).toBe(1);
    expect(b.fills.get('price', 0)).toBeCloseTo(price, 12);
    expect(b.fills.get('fee', 0)).toBeCloseTo(fee, 12);
    expect(b.cash).toBeCloseTo(10_000 - 10 * price - fee, 9);
    expect(b.units[0]).toBe(10);
    expect(b.markClose(p, 1)).toBeCloseTo(10_000 - 10 * price - fee + 10 * 102, 9);
  });

  it('sells below the open and adds impact = coef x bar volatility x sqrt(participation)', () => {
    const p = panelOf([
      [100, 101, 99, 100, 1000],
      [100, 111, 99, 110, 1000],
      [108, 109, 107, 108, 400],
    ]);
    const b = broker({ impactCoef: 0.5 });
    b.markClose(p, 0);
    b.markClose(p, 1);
    // the bar variance after bar 1: first bar's range guess (0.6 x 2 / 100)^2, then EWMA(span 20) with r = 0.1
    const v0 = (0.6 * 2 / 100) ** 2;
    const v1 = v0 + (2 / 21) * (0.01 - v0);
    b.submit(0, -40);
    b.executeOpen(p, 2);
    const slipBps = 5 + 0.5 * Math.sqrt(v1) * Math.sqrt(40 / 400) * 1e4;
    expect(b.fills.get('slippageBps', 0)).toBeCloseTo(slipBps, 9);
    expect(b.fills.get('price', 0)).toBeCloseTo(108 * (1 - slipBps * 1e-4), 9);
    expect(b.units[0]).toBe(-40);
  });

  it('caps a fill at maxParticipation x the bar volume and cancels the rest', () => {
    const p = panelOf([
      [100, 101, 99, 100, 1000],
      [100, 101, 99, 100, 50],
    ]);
    const b = broker({ maxParticipation: 0.1 });
    b.markClose(p, 0);
    b.submit(0, 25);
    b.executeOpen(p, 1);
    expect(b.units[0]).toBe(5);
    expect(b.fills.get('requestedQty', 0)).toBe(25);
    expect(b.nPartialFills).toBe(1);
    expect(b.pending[0]).toBe(0);
  });

  it('never fills on a missing bar', () => {
    const p = panelOf([
      [100, 101, 99, 100, 1000],
      [NaN, NaN, NaN, NaN, NaN],
      [100, 101, 99, 100, 1000],
    ]);
    const b = broker({});
    b.markClose(p, 0);
    b.submit(0, 5);
    b.executeOpen(p, 1);
    expect(b.fills.length).toBe(0);
    expect(b.nCancelled).toBe(1);
    expect(b.units[0]).toBe(0);
  });

  it('books a round trip as one trade with its PnL after fees, and a flip as two', () => {
    const p = panelOf([
      [100, 101, 99, 100, 1e6],
      [100, 101, 99, 100, 1e6],
      [110, 111, 109, 110, 1e6],
      [120, 121, 119, 120, 1e6],
      [100, 101, 99, 100, 1e6],
    ]);
    const b = broker({ halfSpreadBps: 0 });
    b.markClose(p, 0);
    b.submit(0, 10);
    b.executeOpen(p, 1); // buy 10 @ 100
    b.submit(0, -10);
    b.executeOpen(p, 2); // sell 10 @ 110: closes the trade
    expect(b.trades.length).toBe(1);
    expect(b.trades.get('pnl', 0)).toBeCloseTo(100 - 1 - 1.1, 9);
    b.submit(0, 10);
    b.executeOpen(p, 3); // buy 10 @ 120
    b.submit(0, -30);
    b.executeOpen(p, 4); // sell 30 @ 100: closes the long (-200 - fees), opens a 20 short
    expect(b.trades.length).toBe(2);
    expect(b.trades.get('pnl', 1)).toBeCloseTo(-200 - 1.2 - 1, 9);
    expect(b.units[0]).toBe(-20);
    b.markClose(p, 4);
    b.finish(4);
    expect(b.trades.get('open', 2)).toBe(1);
    expect(b.trades.get('pnl', 2)).toBeCloseTo(-2, 9); // only the fee share of the opening fill
    expect(b.assetPnl()[0]).toBeCloseTo(100 - 2.1 - 200 - 2.2 - 2, 9);
  });
});
