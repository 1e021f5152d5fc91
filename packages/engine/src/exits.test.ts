/**
 * Protective exits, liquidation and funding against cash computed by hand (to the cent). Every case: 10 000 cash,
 * taker fee 10 bps, half-spread 5 bps, no impact, no volume cap. A buy of 10 units at bar 1's open of 100 fills at
 * 100 x 1.0005 = 100.05 and pays 1.0005 in fees, leaving 8 998.4995.
 */
import { describe, expect, it } from 'vitest';
import { BarPanel, parseConfig } from '@arena/core';
import { Book } from './pipeline/book.ts';
import { exitPlan, liquidationPrice } from './exits.ts';

/** One asset; rows of [open, high, low, close] (volume 1000). */
function panelOf(rows: number[][]): BarPanel {
  const p = new BarPanel(['X/USDT'], '1h', Float64Array.from(rows.map((_, i) => i * 3_600_000)));
  rows.forEach(([o, h, l, c], t) => {
    // NaN open: the asset's bar is missing
    if (Number.isNaN(o)) return;
    p.open[t] = o!;
    p.high[t] = h!;
    p.low[t] = l!;
    p.close[t] = c!;
    p.volume[t] = 1000;
    p.present[t] = 1;
  });
  return p;
}

function bookOf(over: Record<string, unknown> = {}): Book {
  const config = parseConfig({ broker: { initialCash: 10_000, feeBps: 10, halfSpreadBps: 5, impactCoef: 0, maxParticipation: 1 }, ...over });
  return new Book(1, config, false, 16);
}

/** Bar 0 marks; an order of `qty` placed at its close fills at bar 1's open; then every later bar steps (funding due per bar). */
function replay(book: Book, panel: BarPanel, qty: number, due?: number[]): void {
  const d = due === undefined ? undefined : Float64Array.from(due);
  book.open(panel, 0, d, 0);
  book.broker.submit(0, qty);
  for (let t = 1; t < panel.nTimes; t++) book.open(panel, t, d, t);
}

const ENTRY_BAR = [100, 101, 99.5, 100.5];
const FIRST = [100, 101, 99, 100];

describe('protective exits (hand-computed)', () => {
  it('a stop hit inside a bar fills at the stop less the half-spread, with the fee', () => {
    const book = bookOf({ exits: { stopLoss: 0.05 } });
    // stop = 100.05 x 0.95 = 95.0475; bar 2's low 94 crosses it: sell at 95.0475 x 0.9995, fee 10 bps
    replay(book, panelOf([FIRST, ENTRY_BAR, [99, 99.5, 94, 96]]), 10);
    expect(book.broker.units[0]).toBe(0);
    expect(book.broker.cash).toBeCloseTo(9947.55, 2);
    expect(book.broker.fills.get('price', 1)).toBeCloseTo(95.0475 * 0.9995, 9);
    expect(book.broker.exitsByReason[1]).toBe(1);
  });

  it('a gap through the stop fills at the open', () => {
    const book = bookOf({ exits: { stopLoss: 0.05 } });
    replay(book, panelOf([FIRST, ENTRY_BAR, [90, 92, 89, 91]]), 10);
    // 90 x 0.9995 = 89.955, fee 0.89955
    expect(book.broker.cash).toBeCloseTo(9897.15, 2);
  });

  it('stop and target in one bar: the stop is assumed first', () => {
    const book = bookOf({ exits: { stopLoss: 0.05, takeProfit: 0.05 } });
    replay(book, panelOf([FIRST, ENTRY_BAR, [100, 106, 94, 100]]), 10);
    expect(book.broker.cash).toBeCloseTo(9947.55, 2);
    expect(book.run('x', panelOf([FIRST, ENTRY_BAR, [100, 106, 94, 100]])).trades[0]!.reason).toBe('stop');
  });

  it('a gap through the target fills at the (better) open', () => {
    const book = bookOf({ exits: { stopLoss: 0.05, takeProfit: 0.05 } });
    replay(book, panelOf([FIRST, ENTRY_BAR, [106, 107, 105, 106]]), 10);
    // target 105.0525; the open 106 is past it: sell at 106 x 0.9995 = 105.947
    expect(book.broker.cash).toBeCloseTo(10056.91, 2);
    expect(book.broker.exitsByReason[2]).toBe(1);
  });

  it('a trailing stop follows a rally, then triggers from the best price before the bar', () => {
    const book = bookOf({ exits: { trailingStop: 0.05 } });
    // best: 100.05 -> 101 (bar 1's high) -> 110 (bar 2's); bar 3: level 110 x 0.95 = 104.5, low 104 crosses it
    // (bar 3's own high of 112 is not used before its low: the conservative order)
    replay(book, panelOf([FIRST, ENTRY_BAR, [101, 110, 100.5, 109], [109, 112, 104, 105]]), 10);
    expect(book.broker.cash).toBeCloseTo(10041.93, 2);
    expect(book.broker.exitsByReason[3]).toBe(1);
  });

  it('a trailing stop waits for its activation offset', () => {
    const book = bookOf({ exits: { trailingStop: 0.05, trailingActivation: 0.2 } });
    // the best price 110 is under 100.05 x 1.2 = 120.06: not armed, no exit
    replay(book, panelOf([FIRST, ENTRY_BAR, [101, 110, 100.5, 109], [109, 112, 104, 105]]), 10);
    expect(book.broker.units[0]).toBe(10);
  });

  it("a short's stop sits above its entry and fills above it", () => {
    const book = bookOf({ exits: { stopLoss: 0.05 } });
    // sell at 99.95; stop 104.9475; bar 2's high 106 crosses it: buy at 104.9475 x 1.0005
    replay(book, panelOf([FIRST, ENTRY_BAR, [101, 106, 100, 103]]), -10);
    expect(book.broker.cash).toBeCloseTo(9947.45, 2);
  });

  it('an ATR stop: k x the ATR known at entry below the entry', () => {
    const book = bookOf({ exits: { stopLossAtr: 2, atrPeriod: 1 } });
    // bar 0's true range 4 is the ATR at entry: stop = 100.05 - 8 = 92.05; bar 2's low 92 crosses it
    replay(book, panelOf([[100, 102, 98, 100], ENTRY_BAR, [95, 96, 92, 93]]), 10);
    expect(book.broker.cash).toBeCloseTo(9917.62, 2);
  });

  it('a time stop closes at the open after its bars', () => {
    const book = bookOf({ exits: { timeStop: 2 } });
    const p = panelOf([FIRST, ENTRY_BAR, [101, 103, 100, 102], [102, 103, 101, 102]]);
    book.open(p, 0);
    book.broker.submit(0, 10);
    book.open(p, 1);
    book.broker.timeStops(1);
    expect(book.broker.pending[0]).toBe(0);
    book.open(p, 2);
    // held over bars 1 and 2: the close of bar 2 orders the exit, at bar 3's open 102 x 0.9995
    book.broker.timeStops(2);
    book.open(p, 3);
    expect(book.broker.units[0]).toBe(0);
    expect(book.broker.cash).toBeCloseTo(10016.97, 2);
    expect(book.run('x', p).trades[0]!.reason).toBe('time');
  });

  it('after a stop the asset stays flat until the target changes sign, or the cool-down passes', () => {
    const bars = [FIRST, ENTRY_BAR, [99, 99.5, 94, 96], [96, 97, 95, 96], [96, 97, 95, 96], [96, 97, 95, 96]];
    for (const cooldown of [undefined, 3]) {
      const book = bookOf({ exits: { stopLoss: 0.05, ...(cooldown ? { cooldown } : {}) } });
      const p = panelOf(bars);
      replay(book, p.slice(0, 3), 10);
      const long = Float64Array.of(1);
      book.rebalance(p, 2, long, 0);
      expect(book.broker.pending[0]).toBe(0);
      book.rebalance(p, 4, long, 0);
      // two bars after the exit: still locked; three (the cool-down): the long target trades again
      expect(book.broker.pending[0]).toBe(0);
      book.rebalance(p, 5, long, 0);
      expect(book.broker.pending[0]! > 0).toBe(cooldown !== undefined);
      // a short target (the sign changed) trades at once
      book.broker.pending[0] = 0;
      book.rebalance(p, 5, Float64Array.of(-1), 0);
      expect(book.broker.pending[0]).toBeLessThan(0);
    }
  });
});

describe('perpetuals (hand-computed)', () => {
  it('a liquidation at the isolated-margin price costs exactly the margin, plus the entry fee', () => {
    const book = bookOf({ market: { kind: 'perp', leverage: 10, maintenanceMargin: 0.005, liquidationFee: 0.005 } });
    const liq = liquidationPrice(1, 100.05, 10, 0.005);
    expect(liq).toBeCloseTo((100.05 * 0.9) / 0.995, 12);
    // the low 89 crosses 90.4975: sold at it with a 0.5% fee; lost: the margin 100.05 and the entry fee 1.0005
    replay(book, panelOf([FIRST, ENTRY_BAR, [95, 96, 89, 90]]), 10);
    expect(book.broker.cash).toBeCloseTo(10_000 - 100.05 - 1.0005, 2);
    expect(book.broker.exitsByReason[6]).toBe(1);
  });

  it('a stop above the liquidation price triggers first', () => {
    const book = bookOf({ market: { kind: 'perp', leverage: 10 }, exits: { stopLoss: 0.05 } });
    replay(book, panelOf([FIRST, ENTRY_BAR, [95, 96, 89, 90]]), 10);
    // stop 95.0475 lies above the liquidation price 90.4975: a falling price meets it first
    expect(book.broker.exitsByReason[1]).toBe(1);
    expect(book.broker.exitsByReason[6]).toBe(0);
  });

  it('funding: a long pays a positive rate, a short receives it, a negative rate pays the long', () => {
    const bars = panelOf([FIRST, ENTRY_BAR, [101, 102, 100, 101]]);
    const perp = { market: { kind: 'perp', leverage: 1 } };
    // due at bar 2's open (101): amount = -units x 101 x rate
    const long = bookOf(perp);
    replay(long, bars, 10, [0, 0, 0.0001]);
    expect(long.broker.cash).toBeCloseTo(8998.3985, 4);
    expect(long.broker.funding.get('amount', 0)).toBeCloseTo(-0.101, 12);
    const short = bookOf(perp);
    replay(short, bars, -10, [0, 0, 0.0001]);
    expect(short.broker.cash).toBeCloseTo(10998.6015, 4);
    const paid = bookOf(perp);
    replay(paid, bars, 10, [0, 0, -0.0002]);
    expect(paid.broker.cash).toBeCloseTo(8998.7015, 4);
    // spot never settles funding
    const spot = bookOf();
    replay(spot, bars, 10, [0, 0, 0.0001]);
    expect(spot.broker.cash).toBeCloseTo(8998.4995, 4);
    expect(spot.broker.funding.length).toBe(0);
  });

  it("a rate due while the asset's bar is missing settles at its next bar", () => {
    const book = bookOf({ market: { kind: 'perp', leverage: 1 } });
    // due at bar 2, which is missing: paid at bar 3's open 102 (-10 x 102 x 0.0001)
    replay(book, panelOf([FIRST, ENTRY_BAR, [NaN, NaN, NaN, NaN], [102, 103, 101, 102]]), 10, [0, 0, 0.0001, 0]);
    expect(book.broker.funding.length).toBe(1);
    expect(book.broker.funding.get('t', 0)).toBe(3);
    expect(book.broker.cash).toBeCloseTo(8998.4995 - 0.102, 4);
  });

  it('margin used is sum |units| x entry / leverage, as a fraction of equity in the record', () => {
    const book = bookOf({ market: { kind: 'perp', leverage: 4 } });
    const p = panelOf([FIRST, ENTRY_BAR]);
    replay(book, p, 10);
    expect(book.broker.marginUsed).toBeCloseTo(1000.5 / 4, 9);
    expect(book.run('x', p).margin[1]).toBeCloseTo(1000.5 / 4 / book.equity, 12);
  });
});

describe('exit rules from the config', () => {
  it("an expert's own rule set overrides the global keys it names", () => {
    const config = parseConfig({ exits: { stopLoss: 0.05, takeProfit: 0.1, experts: { trend: { trailingStop: 0.03 }, reversal: { stopLoss: 0.02 } } } });
    const plan = exitPlan(config);
    expect(plan.rules).toHaveLength(3);
    expect(plan.rules[1]).toMatchObject({ stopPct: 0.05, targetPct: 0.1, trailPct: 0.03 });
    expect(plan.rules[2]).toMatchObject({ stopPct: 0.02, targetPct: 0.1 });
    expect(Array.from(plan.ruleOfExpert)).toEqual([1, 2, 0, 0, 0]);
    expect(plan.enabled).toBe(true);
    expect(exitPlan(parseConfig({})).enabled).toBe(false);
    // an expert's set inherits the global activation; absent everywhere it is 0
    const inherit = exitPlan(parseConfig({ exits: { trailingStop: 0.05, trailingActivation: 0.02, experts: { reversal: { stopLoss: 0.02 } } } }));
    expect(inherit.rules[1]).toMatchObject({ trailPct: 0.05, activation: 0.02, stopPct: 0.02 });
    expect(plan.rules[0]!.activation).toBe(0);
  });

  it('rejects a leverage above the maximum, a gross the margin cannot carry and an unknown expert', () => {
    expect(() => parseConfig({ market: { kind: 'perp', leverage: 30, maxLeverage: 20 } })).toThrow(/market.leverage 30 is above market.maxLeverage 20/);
    expect(() => parseConfig({ market: { kind: 'perp', leverage: 1 }, portfolio: { maxGross: 2 } })).toThrow(/portfolio.maxGross 2 needs more margin/);
    expect(() => parseConfig({ exits: { experts: { nobody: { stopLoss: 0.1 } } } })).toThrow(/exits.experts.nobody is not an expert/);
    expect(() => parseConfig({ exits: { stopLoss: 1.5 } })).toThrow(/exits.stopLoss must be in \(0,1\]/);
  });
});
