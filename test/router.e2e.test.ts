/** The router end to end through the CLI: train it, back-test with it (audit trail, report), evaluate it against the alternatives. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '@arena/core';
import { CONTEST_HURDLES } from '@arena/engine';
import { type CliResult, arena } from './cli.ts';

const shared = sharedDataDir();
const spot = shared !== undefined && existsSync(join(shared, 'crypto/binance/spot')) ? join(shared, 'crypto/binance/spot') : undefined;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const SYNTH = ['--synthetic', '--assets', '3', '--bars', '1500'];

interface EvalRange {
  from: string;
  to: string;
  bars: number;
}

interface EvalRow {
  strategy: string;
  totalReturn: number;
  maxDrawdown: number;
  turnover: number;
  sharpe: number | null;
  sortino: number | null;
}

describe('arena train router -> backtest / eval with that router (CLI, end to end)', () => {
  let dir = '';
  let model = '';
  let trained: CliResult;

  // one small training, reused by every test below
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'arena-router-'));
    model = join(dir, 'r');
    // fitted on another synthetic market than the one the evals below use (seed 1): their test bars are out of sample
    trained = arena(['train', 'router', '--synthetic', '--seed', '2', '--assets', '3', '--bars', '2000', '--sft-epochs', '2', '--rl-epochs', '1', '--samples-per-epoch', '512', '--no-features', '--out', model]);
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('train router writes model.json, weights.bin and a card with purged splits and the RL step inside its KL bound', () => {
    expect(trained.code, trained.stderr).toBe(0);
    for (const f of ['model.json', 'weights.bin', 'card.json']) expect(existsSync(join(model, f)), f).toBe(true);
    const card = readJson(join(model, 'card.json'));
    expect(card.kind).toBe('mm_router');
    for (const split of ['train', 'valid', 'test']) {
      expect(card.splits[split].samples, split).toBeGreaterThan(0);
      expect(card.splits[split].from <= card.splits[split].to, split).toBe(true);
    }
    expect(card.splits.train.to < card.splits.valid.from && card.splits.valid.to < card.splits.test.from).toBe(true);
    expect(Number.isFinite(card.metrics.rl.klToSft)).toBe(true);
    expect(card.metrics.rl.klToSft).toBeLessThanOrEqual(card.metrics.rl.klBound);
    for (const title of ['SPLITS', 'EPOCHS', 'TEST SPLIT']) expect(trained.stdout).toContain(title);
    expect(trained.stderr).toMatch(/saved .*\/r\/\{model\.json,weights\.bin,card\.json\}/);
    // the learned expert's outputs it learned from are out of sample: convnets retrained on a chain over the training
    // bars, each trained before the 24-bar embargo ahead of the bars it decides (on 2,000 bars of 3 assets, 2 of the
    // chain's points have the 1,028 bars a net needs; the first of them too few samples for the net's own folds)
    expect(card.learnedOutputs.kind).toBe('nested');
    const nets = card.learnedOutputs.nets as { name: string; decidesFrom: string; trainedOn: { from: string; to: string } }[];
    expect(nets.map((n) => n.name)).toEqual(['router-chain-1']);
    for (const n of nets) expect(Date.parse(n.decidesFrom) - Date.parse(n.trainedOn.to)).toBeGreaterThan(24 * 3_600_000);
    expect(trained.stderr).toMatch(/router-chain-0 not trained \(.*only \d+ samples for the convnet in fold 1\/3's (training|validation) bars/);
    expect(trained.stderr).toMatch(/learned expert: 1 convnet retrained on a chain \(out-of-sample outputs\); it holds 0 before /);
  });

  it('train router prints each table from the start of its own line', () => {
    // each title is centred over its table: only spaces may precede it on its line
    for (const title of ['SPLITS \\(', 'EPOCHS', 'TEST SPLIT \\(']) expect(trained.stdout, title).toMatch(new RegExp(`^ *${title}`, 'm'));
  });

  it('backtest --router-model routes with the model and writes the audit trail with its charts', () => {
    const out = join(dir, 'bt');
    const r = arena(['backtest', ...SYNTH, '--router-model', model, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['report.json', 'report.html', 'decisions.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);

    const lines = readFileSync(join(out, 'decisions.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const d = JSON.parse(line);
      for (const key of ['t', 'ts', 'symbol', 'regime', 'weights', 'exposures', 'attribution', 'fill', 'chart']) expect(d, key).toHaveProperty(key);
      const sum = Object.values(d.weights as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1), `weights at t=${d.t} ${d.symbol}`).toBeLessThanOrEqual(1e-4);
    }

    const report = readJson(join(out, 'report.json'));
    expect(report.router.source).toBe('model');
    expect(report.decisions.count).toBe(lines.length);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('Expert weights over time');
  }, 120_000);

  it('backtest with a missing router model says so and falls back to equal weights', () => {
    const out = join(dir, 'bt-missing');
    const r = arena(['backtest', ...SYNTH, '--router-model', '/nonexistent', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/router model unavailable, equal weights: .*\/nonexistent/);
    expect(readJson(join(out, 'report.json')).router.source).toBe('equal');
  }, 120_000);

  it('eval compares the router and the contest with their alternatives on the held-out bars', () => {
    const out = join(dir, 'ev');
    const r = arena(['eval', ...SYNTH, '--router-model', model, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'eval.html'))).toBe(true);
    const ev = readJson(join(out, 'eval.json'));
    const rows = ev.rows as EvalRow[];
    expect(rows.map((row) => row.strategy).sort()).toEqual([
      'all-agents-equal',
      'best-agent-hindsight',
      'best-expert-in-sample',
      'buy-and-hold',
      'contest',
      'contest-benchmark',
      'contest-benchmark-calibrated',
      'contest-benchmark-no-record',
      'contest-benchmark-switch',
      'contest-cash',
      'contest-cash-calibrated',
      'equal-weight',
      'oracle',
      'router',
      'static-fit',
      'topk-trailing-mean',
    ]);
    // the contest's record went to the ledger beside eval.json
    expect(existsSync(join(out, 'ledger.db'))).toBe(true);
    for (const row of rows) {
      for (const k of ['totalReturn', 'maxDrawdown', 'turnover'] as const) expect(Number.isFinite(row[k]), `${row.strategy}.${k}`).toBe(true);
      for (const k of ['sharpe', 'sortino'] as const) expect(row[k] === null || Number.isFinite(row[k]), `${row.strategy}.${k}`).toBe(true);
    }
    const range = ev.testRange as EvalRange;
    expect(typeof range.from).toBe('string');
    expect(typeof range.to).toBe('string');
    expect(range.from < range.to).toBe(true);
    // the default split holds out the last 30% of the 1500 bars
    expect(range.bars).toBe(450);
    // the calibrated rows chose their hurdles on the training bars, among the candidates, and say so
    const candidates = CONTEST_HURDLES.map((h) => (Number.isFinite(h) ? h : 'never'));
    for (const k of ['cash', 'benchmark']) {
      expect(candidates).toContain(ev.folds[0].contestHurdle[k].chosen);
      expect(ev.folds[0].contestHurdle[k].trainSharpe.map((h: { hurdle: number | string }) => h.hurdle)).toEqual(candidates);
      // the chosen hurdle deflated for the search over every candidate (null only for a book that never moved there)
      const d = ev.folds[0].contestHurdle[k].deflated;
      if (d !== null) {
        expect(d.trials).toBe(candidates.length);
        expect(d.dsr).toBeGreaterThanOrEqual(0);
        expect(d.dsr).toBeLessThanOrEqual(1);
      } else expect(k).toBe('cash'); // a cash fallback that adopted no agent on the training bars; the benchmark's book moves
    }
    expect(r.stderr).toMatch(/contest hurdle \(annualised Sharpe; never: the fallback alone\) chosen on each fold's training bars/);
    expect(r.stderr).toMatch(/contest-benchmark held the equal-weight benchmark on \d+\.\d% of the test bars/);
    const pairs = ev.comparisons.map((c: { a: string; b: string }) => `${c.a}/${c.b}`);
    for (const a of ['contest-cash', 'contest-benchmark', 'contest-benchmark-no-record', 'contest-benchmark-switch', 'contest-cash-calibrated', 'contest-benchmark-calibrated']) expect(pairs).toContain(`${a}/equal-weight`);
    // the contest as configured (the benchmark fallback by default) is that fallback's replay, bit for bit
    const sharpeOf = (s: string) => rows.find((row) => row.strategy === s)!.sharpe;
    expect(sharpeOf('contest')).toBe(sharpeOf('contest-benchmark'));
    expect(typeof ev.contestOnBenchmark).toBe('number');
    // the contest's score model is judged on the test bars: rank IC of its predictions vs the next window
    const all = (ev.contestScoreModel as { fold: number; windows: number; meanRankIc: number }[]).find((v) => v.fold === -1)!;
    expect(all.windows).toBeGreaterThan(0);
    const all90 = all as unknown as { meanRankIc: number; ciLow: number; ciHigh: number };
    expect(Number.isFinite(all90.meanRankIc)).toBe(true);
    expect(all90.ciLow).toBeLessThan(all90.meanRankIc);
    expect(all90.ciHigh).toBeGreaterThan(all90.meanRankIc);
    expect(r.stderr).toMatch(/contest score model on the test bars: rank IC of predicted vs next-window Sharpe -?\d\.\d{3} \(90% interval/);
    // the router was fitted on another market: nothing overlaps
    expect(ev.outOfSample).toBe(true);
    expect(ev.overlaps).toEqual([]);
    expect(rows.every((row) => (row as EvalRow & { outOfSample: boolean }).outOfSample)).toBe(true);
  }, 120_000);

  it('eval --walk-forward 3 reports three consecutive test folds', () => {
    const out = join(dir, 'ev-wf');
    const r = arena(['eval', ...SYNTH, '--router-model', model, '--walk-forward', '3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 walk-forward folds');
    const ev = readJson(join(out, 'eval.json'));
    const folds = ev.folds as { trainRange: EvalRange; testRange: EvalRange }[];
    expect(folds).toHaveLength(3);
    for (const f of folds) expect(f.trainRange.to < f.testRange.from).toBe(true);
    expect(folds[0]!.testRange.from).toBe(ev.testRange.from);
    expect(folds[2]!.testRange.to).toBe(ev.testRange.to);
    expect(folds.reduce((n, f) => n + f.testRange.bars, 0)).toBe(ev.testRange.bars);
  }, 120_000);

  it('eval --walk-forward 2 --train retrains the learned expert and the router per fold: each decides only after the bars it learned from, plus the embargo', () => {
    const out = join(dir, 'ev-wf-train');
    const r = arena(['eval', '--synthetic', '--assets', '4', '--bars', '2400', '--walk-forward', '2', '--train', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/learned expert: 2 convnets trained per fold; it holds 0 before 2024-02-20/);
    const ev = readJson(join(out, 'eval.json'));
    const folds = ev.folds as { trainRange: EvalRange; testRange: EvalRange }[];
    const chain = ev.learnedChain as { decidesFrom: string; trainedOn: { from: string; to: string } }[];
    expect(chain).toHaveLength(2);
    chain.forEach((net, k) => {
      // the net of fold k decides from the block's first bar, and learned up to 24 bars (the embargo) before it
      expect(net.decidesFrom).toBe(folds[k]!.testRange.from);
      expect(Date.parse(net.decidesFrom) - Date.parse(net.trainedOn.to)).toBeGreaterThan(24 * 3_600_000);
    });
    // so is the router: one per fold, trained before the pipeline steps, learned up to the embargo before its fold; the
    // pipeline (the contest's agents) stepped with them, never with the committed one
    expect(r.stderr).not.toMatch(/router: router default/);
    const routers = ev.routerChain as { fold: number; routesFrom: string; trainedOn: { from: string; to: string } }[];
    expect(routers.map((x) => x.fold)).toEqual([0, 1]);
    routers.forEach((x, k) => {
      expect(x.routesFrom).toBe(folds[k]!.testRange.from);
      expect(Date.parse(x.routesFrom) - Date.parse(x.trainedOn.to)).toBeGreaterThan(24 * 3_600_000);
    });
    // the committed convnet is not used, so the leak check has nothing to list, and every row is out of sample
    expect(ev.fittedModels).toEqual([]);
    expect(ev.outOfSample).toBe(true);
  }, 120_000);

  it('eval refuses a router fitted on its test bars (exit 2, naming the model and the fold); --allow-overlap runs it with the rows marked', () => {
    const same = ['--synthetic', '--seed', '2', '--assets', '3', '--bars', '1500'];
    const refused = arena(['eval', ...same, '--router-model', model, '--out', join(dir, 'ev-overlap')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/ARENA_E_EVAL_OVERLAP: router \S+ was fitted on \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d, which reaches fold 1's test bars/);
    expect(refused.stderr.trim().split('\n').filter((l) => l.startsWith('error'))).toHaveLength(1);
    expect(existsSync(join(dir, 'ev-overlap'))).toBe(false);
    const out = join(dir, 'ev-allowed');
    const allowed = arena(['eval', ...same, '--router-model', model, '--allow-overlap', '--out', out]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning \(--allow-overlap\)/);
    const ev = readJson(join(out, 'eval.json'));
    expect(ev.outOfSample).toBe(false);
    expect(ev.overlaps.map((o: { model: string }) => o.model)).toEqual([expect.stringMatching(/^router /)]);
    const rows = ev.rows as (EvalRow & { outOfSample: boolean })[];
    expect(rows.find((row) => row.strategy === 'router')!.outOfSample).toBe(false);
    expect(rows.find((row) => row.strategy === 'buy-and-hold')!.outOfSample).toBe(true);
  }, 120_000);

  it('eval rejects a bad --walk-forward or --test-fraction with exit 2, naming the flag, and writes nothing', () => {
    const wf = arena(['eval', ...SYNTH, '--walk-forward', '1', '--out', join(dir, 'bad-wf')]);
    expect(wf.code).toBe(2);
    expect(wf.stderr).toMatch(/--walk-forward must be an integer >= 2, got 1/);
    expect(existsSync(join(dir, 'bad-wf'))).toBe(false);
    const tf = arena(['eval', ...SYNTH, '--test-fraction', '1.5', '--out', join(dir, 'bad-tf')]);
    expect(tf.code).toBe(2);
    expect(tf.stderr).toMatch(/--test-fraction must be in \(0, 1\), got 1\.5/);
    expect(existsSync(join(dir, 'bad-tf'))).toBe(false);
  });

  it.skipIf(!spot)('eval on real Binance spot data keeps its test range inside --timerange (needs ../shared/data/crypto/binance/spot)', () => {
    const out = join(dir, 'ev-real');
    const r = arena(['eval', '--data', spot!, '--timeframe', '1h', '--symbols', 'BTC/USDT,ETH/USDT', '--timerange', '20250601-20251201', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const ev = readJson(join(out, 'eval.json'));
    expect(ev.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    const range = ev.testRange as EvalRange;
    expect(range.bars).toBeGreaterThan(0);
    expect(range.from >= '2025-06-01T00:00:00.000Z').toBe(true);
    expect(range.to < '2025-12-01T00:00:00.000Z').toBe(true);
    expect(range.from < range.to).toBe(true);
  }, 120_000);
});
