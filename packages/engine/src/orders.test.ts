/** Cost-aware execution: the no-trade band (fixed, and widened by costs over volatility) and trading to its edge. */
import { BarPanel, parseConfig } from '@arena/core';
import { describe, expect, it } from 'vitest';
import { PaperBroker } from './broker.ts';
import { fillAssumptions } from './backtest.ts';
import { orderScratch, placeOrders } from './orders.ts';

const EQ = 100_000;

/** Two assets, one bar at price 100; the broker holds `held` units of each. */
function setup(portfolio: Record<string, unknown>, held: [number, number], variance = 1e-4) {
  const config = parseConfig({ portfolio: { maxGross: 1, maxPerAsset: 1, ...portfolio } });
  const panel = new BarPanel(['A', 'B'], '1h', Float64Array.of(0));
  panel.close.fill(100);
  panel.present.fill(1);
  const broker = new PaperBroker(2, config.broker);
  broker.units.set(held);
  broker.barVariance.fill(variance);
  return { config, panel, broker };
}

/** Orders for exposures [x0, x1] (slot = 0.5 of equity each): the weights they aim at. */
function aimed(portfolio: Record<string, unknown>, held: [number, number], exposures: [number, number], variance?: number): number[] {
  const { config, panel, broker } = setup(portfolio, held, variance);
  placeOrders(broker, panel, 0, Float64Array.from(exposures), 0, EQ, config.portfolio, orderScratch(2));
  return [0, 1].map((a) => ((broker.units[a]! + broker.pending[a]!) * 100) / EQ);
}

describe('placeOrders', () => {
  it("'target' trades to the target; 'edge' (the default) stops at the band's edge nearest it", () => {
    // slot 0.5, band 0.1 x 0.5 = 0.05 of equity; from flat to a target weight of 0.4
    expect(aimed({ rebalance: 'target', costBand: 0 }, [0, 0], [0.8, 0])[0]).toBeCloseTo(0.4, 12);
    expect(aimed({ costBand: 0 }, [0, 0], [0.8, 0])[0]).toBeCloseTo(0.35, 12);
    // from above: down to target + band
    expect(aimed({ costBand: 0 }, [300, 0], [0.2, 0])[0]).toBeCloseTo(0.15, 12);
    // inside the band nothing trades
    expect(aimed({ costBand: 0 }, [380, 0], [0.8, 0])[0]).toBeCloseTo(0.38, 12);
  });

  it('closing out and flipping sides trade in full, whatever the mode', () => {
    expect(aimed({ costBand: 0 }, [300, 0], [0, 0])[0]).toBe(0);
    expect(aimed({ costBand: 0 }, [300, 0], [-0.5, 0])[0]).toBeCloseTo(-0.25, 12);
  });

  it('costBand widens the band where a round trip costs more than the move it would catch', () => {
    // fee 10 + spread 2 bps: a round trip is 24 bps. A 1% bar volatility over 24 bars moves ~4.9%: 0.049 of a slot,
    // under the fixed 0.1, so nothing changes; at 0.1% bar volatility (0.49% over 24 bars) the band is ~0.49 of a slot
    const gap: [number, number] = [0.3, 0]; // a target weight of 0.15 from flat, a gap of 0.3 slots
    expect(aimed({}, [0, 0], gap, 1e-4)[0]).toBeCloseTo(0.15 - 0.05, 12);
    expect(aimed({}, [0, 0], gap, 1e-6)[0]).toBe(0);
    expect(aimed({ costBand: 0 }, [0, 0], gap, 1e-6)[0]).toBeCloseTo(0.1, 12);
    // the band is capped at the slot: at edge, a full-slot target then moves nothing (the costs would eat any move);
    // 'target' trades the whole way once the gap reaches the band
    expect(aimed({}, [0, 0], [1, 0], 1e-10)[0]).toBeCloseTo(0, 12);
    expect(aimed({ rebalance: 'target' }, [0, 0], [1, 0], 1e-8)[0]).toBeCloseTo(0.5, 12);
  });
});

describe('fillAssumptions: the report says how orders are placed', () => {
  it('names the cost band and where an order goes past it, as configured', () => {
    const text = fillAssumptions(parseConfig({}));
    expect(text).toMatch(/no-trade band 0\.1 of an asset's slot \(maxGross \/ assets\), widened to 2 x a round trip's cost .* across 24 bars, at most the slot; past it an order goes to the band's edge/);
    const plain = fillAssumptions(parseConfig({ portfolio: { costBand: 0, rebalance: 'target' } }));
    expect(plain).not.toMatch(/widened/);
    expect(plain).toMatch(/past it an order goes to the target/);
  });
});
