import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'arena-e2e-'));

describe('arena backtest (CLI, end to end)', () => {
  it('gives a byte-identical report.json for the same seed, and a different one for another seed', () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    const args = ['backtest', '--synthetic', '--bars', '1500', '--assets', '3'];
    expect(arena([...args, '--seed', '3', '--out', a]).code).toBe(0);
    expect(arena([...args, '--seed', '3', '--out', b]).code).toBe(0);
    expect(arena([...args, '--seed', '4', '--out', c]).code).toBe(0);
    const ja = readFileSync(join(a, 'report.json'));
    expect(ja.equals(readFileSync(join(b, 'report.json')))).toBe(true);
    expect(ja.equals(readFileSync(join(c, 'report.json')))).toBe(false);
    expect(existsSync(join(a, 'report.html'))).toBe(true);
  });

  it('prints the summary with baselines and the fill assumptions', () => {
    const r = arena(['backtest', '--synthetic', '--bars', '800', '--assets', '2', '--out', tmp()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('SUMMARY METRICS');
    for (const name of ['buy_and_hold', 'trend_only', 'reversal_only', 'breakout_only', 'positioning_only', 'learned_only', 'equal_weight']) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("fill at the next bar's open");
    // the default strategy is equal weights (the evidence's pick); the trained router has its own row beside it
    expect(r.stdout).toMatch(/Router \(equal\): equal weights/);
    expect(r.stdout).toMatch(/│ router +│/);
    expect(r.stderr).toMatch(/router \(its own row beside the strategy\): router default/);
    const strategy = r.stdout.match(/│ strategy +│ +(-?[\d.]+)% │/)![1];
    expect(r.stdout.match(/│ equal_weight +│ +(-?[\d.]+)% │/)![1]).toBe(strategy);
  });

  it('stops with a clear error and exit code 2 on bad input', () => {
    const missing = arena(['backtest', '--data', '/nonexistent/arena', '--out', tmp()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ARENA_E_DATA_DIR_MISSING: .*\/nonexistent\/arena/);
    const badRange = arena(['backtest', '--synthetic', '--timerange', '2025-01-01', '--out', tmp()]);
    expect(badRange.code).toBe(2);
    expect(badRange.stderr).toContain('ARENA_E_TIMERANGE');
    const badFee = arena(['backtest', '--synthetic', '--fee-bps', '-3', '--out', tmp()]);
    expect(badFee.code).toBe(2);
    expect(badFee.stderr).toContain('broker.feeBps must be >= 0');
  });

  it('warns when a committed model steps bars of another size than it was fitted on, and says what to do', () => {
    const r = arena(['backtest', '--synthetic', '--timeframe', '4h', '--bars', '600', '--out', tmp()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: learned expert \(convnet default\) was fitted on 1h bars and this run steps 4h bars; .*arena train convnet --timeframe 4h\) or give it weight 0/);
    // the strategy is equal weights: the router only has its row beside it
    expect(r.stderr).toMatch(/warning: router default \(its row beside the strategy\) was fitted on 1h bars and this run steps 4h bars; .*arena train router --timeframe 4h\)/);
    // routing with it (and no learned expert): the warning says how to route without it (modelTimeframes.test.ts has the rest)
    const routed = arena(['backtest', '--synthetic', '--timeframe', '4h', '--bars', '600', '--router', 'model', '--weights', 'trend=0.5,breakout=0.5', '--no-baselines', '--out', tmp()]);
    expect(routed.code, routed.stderr).toBe(0);
    expect(routed.stderr).toMatch(/warning: router default was fitted on 1h bars .* or route with equal weights \(--router equal\)/);
    expect(routed.stderr).not.toMatch(/learned expert .* was fitted on/);
  });

  it('runs on real Binance data (the committed sample, by its path under the data root) and rejects unknown symbols and empty ranges', () => {
    const dir = 'crypto/binance/spot';
    const out = tmp();
    const r = arena(['backtest', '--data', dir, '--symbols', 'BTC/USDT,ETH/USDT', '--timeframe', '1h', '--timerange', '20250301-20250601', '--fee-bps', '10', '--out', out]);
    expect(r.code).toBe(0);
    // the committed models were fitted on 1h bars: no warning here
    expect(r.stderr).not.toMatch(/was fitted on/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.meta.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(report.meta.bars).toBe(92 * 24);
    const unknown = arena(['backtest', '--data', dir, '--symbols', 'NOPE/USDT', '--timeframe', '1h', '--out', tmp()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/ARENA_E_DATA_UNKNOWN_SYMBOL: .*NOPE.*BTC\/USDT/);
    const empty = arena(['backtest', '--data', dir, '--timeframe', '1h', '--timerange', '20300101-', '--out', tmp()]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('ARENA_E_DATA_EMPTY_RANGE');
  });
});
