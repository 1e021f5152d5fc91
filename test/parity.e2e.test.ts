/**
 * One engine: `arena backtest` and `arena paper --exit-at-end` over the same bars give the same fills, equity and
 * decisions, bit for bit, for each combiner (static weights, the default learned expert + router, the contest with
 * its data team) and with the kill switch armed, across selection swaps (the learned expert re-selects its
 * features on schedule and on drift; the daemon does it in a worker thread).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arena } from './cli.ts';
import { readRows } from './ledgerDb.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MARKET = ['--synthetic', '--seed', '11', '--assets', '3', '--bars', '1400'];

interface Decision {
  t: number;
  asset: number;
  weights: Record<string, number>;
  exposures: Record<string, number>;
  combined: number;
  fill: { qty: number; price: number; fee: number; reason?: string };
}

/** The backtest's fills and decisions (from decisions.jsonl, one record per fill) and its final equity. */
function backtest(name: string, extra: string[], market = MARKET): { fills: number[][]; decisions: Decision[]; finalEquity: number; execution: Execution; stderr: string } {
  const out = join(dir, name);
  const r = arena(['backtest', ...market, ...extra, '--no-baselines', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  const decisions = readFileSync(join(out, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Decision);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { metrics: { finalEquity: number }; execution: Execution };
  return { fills: decisions.map((d) => [d.t + 1, d.asset, d.fill.qty, d.fill.price]), decisions, finalEquity: report.metrics.finalEquity, execution: report.execution, stderr: r.stderr };
}

interface Execution {
  exitsByReason: Record<string, number>;
  funding: number;
  liquidations: number;
}

/** The daemon's replay of the same bars: its fills, the weights and exposures of its decisions, the last equity. */
function paper(name: string, extra: string[], market = MARKET) {
  const db = join(dir, `${name}.db`);
  const r = arena(['paper', ...market, ...extra, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
  expect(r.code, r.stderr).toBe(0);
  const fills = readRows(db, 'SELECT t, asset, qty, price FROM fills ORDER BY id') as { t: number; asset: number; qty: number; price: number }[];
  const equity = readRows(db, 'SELECT equity FROM equity ORDER BY t DESC LIMIT 1') as { equity: number }[];
  const decisions = readRows(db, 'SELECT t, record FROM decisions ORDER BY t') as { t: number; record: string }[];
  const byCell = new Map<string, { weights: Record<string, number>; exposures: Record<string, number>; combined: number }>();
  for (const d of decisions) for (const a of (JSON.parse(d.record) as { assets: { asset: number; weights: Record<string, number>; exposures: Record<string, number>; combined: number }[] }).assets) byCell.set(`${d.t}:${a.asset}`, a);
  const summary = arena(['ledger', 'summary', '--db', db, '--json']);
  expect(summary.code, summary.stderr).toBe(0);
  return { fills: fills.map((f) => [f.t, f.asset, f.qty, f.price]), finalEquity: equity[0]!.equity, byCell, execution: JSON.parse(summary.stdout) as Execution, stderr: r.stderr };
}

const round = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(6))]));

function expectSameBooks(name: string, extra: string[], market = MARKET): { fills: number; execution: Execution } {
  const b = backtest(name, extra, market);
  const p = paper(name, extra, market);
  expect(p.fills.length).toBeGreaterThan(20);
  expect(p.fills).toEqual(b.fills);
  // the same positions closed for the same reasons, the same funding settled
  expect(p.execution.exitsByReason).toEqual(b.execution.exitsByReason);
  expect(p.execution.funding).toBeCloseTo(b.execution.funding, 4);
  // report.json keeps 10 significant digits
  expect(Number(p.finalEquity.toPrecision(10))).toBe(b.finalEquity);
  // every fill's decision: the same weights, exposures and combined target (the backtest's audit rounds to 6 places)
  for (const d of b.decisions) {
    // a protective exit or liquidation fills inside a bar without an order of its own
    if (d.fill.reason !== undefined) continue;
    const q = p.byCell.get(`${d.t}:${d.asset}`);
    expect(q, `decision at bar ${d.t} asset ${d.asset}`).toBeDefined();
    expect(round(q!.weights)).toEqual(d.weights);
    expect(round(q!.exposures)).toEqual(d.exposures);
    expect(Number(q!.combined.toFixed(6))).toBe(d.combined);
  }
  return { fills: p.fills.length, execution: b.execution };
}

describe('backtest = paper (one engine)', () => {
  it('static weights of the rule experts', () => {
    expectSameBooks('static', ['--weights', 'trend=0.4,reversal=0.2,breakout=0.2,positioning=0.2']);
  }, 120_000);

  it('the learned expert (selections swapping) and the model router', () => {
    const { stderr } = backtest('default-probe', ['--router', 'model']);
    expect(stderr).toMatch(/learned expert: default/);
    expect(stderr).toMatch(/router: router default/);
    expectSameBooks('default', ['--router', 'model']);
  }, 180_000);

  it('the contest (benchmark fallback) with its data team, and the kill switch armed (it fires)', () => {
    const config = join(dir, 'armed.json');
    // the benchmark fallback holds equal weights until an agent is predicted to beat them, so the book trades from the start
    writeFileSync(config, JSON.stringify({ risk: { maxDrawdown: 0.01, maxDailyLoss: 0.01 }, contest: { benchmark: 'equal' } }));
    const b = backtest('contest-probe', ['--router', 'model', '--contest', '--agents', '12', '--config', config]);
    expect(b.stderr).toMatch(/data team: 3 factor producers/);
    expect(b.stderr).toMatch(/kill switch at/);
    expectSameBooks('contest', ['--router', 'model', '--contest', '--agents', '12', '--config', config]);
  }, 180_000);

  it('protective exits (global and one expert\'s own), a time stop and a cool-down', () => {
    const config = join(dir, 'exits.json');
    writeFileSync(config, JSON.stringify({ exits: { stopLoss: 0.02, takeProfitAtr: 4, trailingStop: 0.03, trailingActivation: 0.01, timeStop: 72, cooldown: 12, experts: { trend: { stopLossAtr: 2 } } } }));
    const { execution } = expectSameBooks('exits', ['--weights', 'trend=0.4,reversal=0.2,breakout=0.2,positioning=0.2', '--config', config]);
    for (const reason of ['stop', 'target', 'trailing']) expect(execution.exitsByReason[reason], reason).toBeGreaterThan(0);
  }, 120_000);

  it('perpetuals at 20x on Binance perp bars: liquidations and funding settled alike', () => {
    const config = join(dir, 'perp.json');
    writeFileSync(config, JSON.stringify({ data: { dir: 'crypto/binance/perp/1h', symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], timerange: '20250301-20250415' }, market: { kind: 'perp', leverage: 20 }, portfolio: { maxGross: 3 } }));
    const { execution } = expectSameBooks('perp', ['--weights', 'trend=0.5,breakout=0.5', '--config', config], []);
    expect(execution.liquidations).toBeGreaterThan(0);
    expect(execution.funding).not.toBe(0);
  }, 120_000);
});
