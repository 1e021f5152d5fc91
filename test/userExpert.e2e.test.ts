import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, ROOT, arena } from './cli.ts';
import { countIn, readRows } from './ledgerDb.ts';

const MARKET = ['--synthetic', '--bars', '1500', '--assets', '3'];

/** final equity and fill count of a backtest's report.json */
function backtestBooks(out: string): { equity: number; fills: number } {
  const r = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { metrics: { finalEquity: number; nFills: number } };
  return { equity: r.metrics.finalEquity, fills: r.metrics.nFills };
}

/** final equity and fill count of a paper run's ledger */
function paperBooks(db: string): { equity: number; fills: number } {
  const [e] = readRows(db, 'SELECT equity FROM equity ORDER BY t DESC LIMIT 1') as { equity: number }[];
  const [f] = readRows(db, 'SELECT COUNT(*) AS n FROM fills') as { n: number }[];
  return { equity: e!.equity, fills: f!.n };
}

describe('a user expert: arena new expert, then backtest and paper with the same books', () => {
  // a folder outside the repository, as a user's would be
  const dir = mkdtempSync(join(tmpdir(), 'arena-user-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scaffolds the module, its test, a tsconfig and the config entry; refuses a bad name and an existing file', () => {
    const r = arena(['new', 'expert', 'dip', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['dip.ts', 'dip.test.ts', 'tsconfig.json', 'arena.config.json']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'arena.config.json'), 'utf8')).experts.custom).toEqual([{ name: 'dip', module: './dip.ts' }]);
    expect(r.stdout).toContain('npm run arena -- backtest --config');
    const again = arena(['new', 'expert', 'dip', '--dir', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/dip\.ts exists \(pass --force/);
    const bad = arena(['new', 'expert', 'Trend!', '--dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ARENA_E_CLI_ARG: invalid value for NAME: "Trend!" must be lower-case/);
    expect(arena(['new', 'expert', 'trend', '--dir', dir]).stderr).toMatch(/built-in expert's name/);
  });

  it('the installed command (bin/arena.js, what npx arena runs) loads it from outside the repository', () => {
    const out = join(dir, 'bin-out');
    const r = spawnSync(process.execPath, [`${ROOT}apps/trader/bin/arena.js`, 'backtest', '--config', join(dir, 'arena.config.json'), ...MARKET, '--out', out], { cwd: dir, encoding: 'utf8', env: { ...process.env, ARENA_PROGRESS: '0' }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'report.json'))).toBe(true);
  }, 120_000);

  it('with only its logic edited, it runs in a backtest and in the paper daemon, which end with the same books', () => {
    // the user's edit: between the template's markers, a Bollinger-style dip buyer instead of momentum
    const file = join(dir, 'dip.ts');
    const src = readFileSync(file, 'utf8');
    const logic = `
    const L = p.lookback;
    s.closes[s.n % (L + 1)] = bar.close;
    s.n++;
    if (s.n <= L) return 0;
    let mean = 0;
    for (let i = 0; i <= L; i++) mean += s.closes[i]!;
    mean /= L + 1;
    let v = 0;
    for (let i = 0; i <= L; i++) v += (s.closes[i]! - mean) ** 2;
    const z = (bar.close - mean) / Math.sqrt(v / (L + 1) + 1e-12);
    return Math.max(-1, Math.min(1, -p.gain * z / 2));
    `;
    const edited = src.replace(/(\/\/ --- your logic: from here ---\n)[\s\S]*?(\n\s*\/\/ --- to here ---)/, `$1${logic}$2`);
    expect(edited).not.toBe(src);
    writeFileSync(file, edited);
    const cfg = join(dir, 'arena.config.json');
    const bt = arena(['backtest', '--config', cfg, ...MARKET, '--out', join(dir, 'bt')]);
    expect(bt.code, bt.stderr).toBe(0);
    expect(bt.stdout).toMatch(/│ dip\s+│/); // its attribution row
    expect(bt.stdout).toMatch(/dip_only/); // and its baseline
    const db = join(dir, 'paper.db');
    const pp = arena(['paper', '--config', cfg, ...MARKET, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(pp.code, pp.stderr).toBe(0);
    const a = backtestBooks(join(dir, 'bt'));
    const b = paperBooks(db);
    expect(a.fills).toBeGreaterThan(50);
    expect(b.fills).toBe(a.fills);
    expect(Math.abs(b.equity - a.equity) / a.equity).toBeLessThan(1e-9);
    // its exposures are in the decisions the dashboard reads
    const [rec] = readRows(db, 'SELECT record FROM decisions ORDER BY t DESC LIMIT 1') as { record: string }[];
    expect(Object.keys(JSON.parse(rec!.record).assets[0].weights)).toEqual(['trend', 'reversal', 'breakout', 'positioning', 'learned', 'dip']);
  }, 120_000);

  it('arena optimize tunes its declared params beside the portfolio, walk-forward; a killed study continues to the same trials', async () => {
    const cfg = join(dir, 'arena.config.json');
    const args = (out: string, trials: number) => ['optimize', '--config', cfg, ...MARKET, '--space', 'dip,portfolio', '--trials', String(trials), '--folds', '2', '--min-trades', '5', '--out', out];
    const whole = arena(args(join(dir, 'opt'), 40));
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toContain('WALK-FORWARD OPTIMISATION');
    expect(whole.stdout).toMatch(/"custom": \[\s*\{\s*"name": "dip",\s*"params": \{\s*"lookback": \d+,\s*"gain": [\d.]+/);
    const report = JSON.parse(readFileSync(join(dir, 'opt', 'optimize.json'), 'utf8')) as { dims: { key: string }[]; trials: { fold: number; trial: number; value: number | null }[]; folds: unknown[] };
    expect(report.dims.map((d) => d.key)).toEqual(['portfolio.costBand', 'portfolio.noTradeBand', 'portfolio.maxPerAsset', 'experts.custom.dip.lookback', 'experts.custom.dip.gain']);
    expect(report.trials).toHaveLength(80);
    expect(report.folds).toHaveLength(2);
    expect(readFileSync(join(dir, 'opt', 'optimize.html'), 'utf8')).toContain('In sample vs out of sample');
    // the same study killed mid-search, then run again
    const db = join(dir, 'killed', 'ledger.db');
    const child = spawn(process.execPath, [...CLI, ...args(join(dir, 'killed'), 40)], { cwd: ROOT, env: { ...process.env, ARENA_PROGRESS: '0' } });
    const exited = new Promise((r) => child.on('exit', r));
    const stored = () => countIn(db, 'SELECT COUNT(*) AS n FROM optimize_trials');
    for (const end = Date.now() + 60_000; stored() < 10 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    const killedAt = stored();
    expect(killedAt).toBeGreaterThanOrEqual(10);
    expect(killedAt).toBeLessThan(80);
    const again = arena(args(join(dir, 'killed'), 40));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`${killedAt} trials already in .*ledger\\.db, continuing`));
    const resumed = JSON.parse(readFileSync(join(dir, 'killed', 'optimize.json'), 'utf8')) as typeof report;
    expect(resumed.trials).toEqual(report.trials);
  }, 180_000);

  it('a router trained with it weights it (its card lists it); a config without it refuses that router', () => {
    const cfg = join(dir, 'arena.config.json');
    const model = join(dir, 'router');
    const tr = arena(['train', 'router', '--config', cfg, ...MARKET, '--sft-epochs', '1', '--rl-epochs', '1', '--samples-per-epoch', '256', '--in-sample-learned', '--name', 'with-dip', '--out', model]);
    expect(tr.code, tr.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(model, 'card.json'), 'utf8')).experts).toEqual(['trend', 'reversal', 'breakout', 'positioning', 'learned', 'dip']);
    const bt = arena(['backtest', '--config', cfg, ...MARKET, '--router-model', model, '--out', join(dir, 'routed')]);
    expect(bt.code, bt.stderr).toBe(0);
    expect(bt.stdout).toMatch(/Router \(model\): router with-dip/);
    expect(bt.stdout).toMatch(/mean weights: trend [\d.]+%, .*, dip [\d.]+%/);
    const other = arena(['backtest', ...MARKET, '--router-model', model, '--out', join(dir, 'routed2')]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/ARENA_E_EXPERT_SET: the router at .*router was trained on the experts \[trend, reversal, breakout, positioning, learned, dip\] and this config runs \[trend, reversal, breakout, positioning, learned\]/);
  }, 120_000);

  it('an expert whose step never returns is stopped on its thread and disabled at that bar; the daemon goes on, and the backtest agrees', () => {
    const file = join(dir, 'stuck.ts');
    // passes the probe (400 bars), loops forever at bar 600 of the run
    writeFileSync(file, `export default { warmup: 5, step: (_s, bar) => { if (bar.t >= 600) for (;;) {} return bar.close > bar.open ? 0.5 : -0.5; } };\n`);
    const cfg = join(dir, 'stuck.json');
    // the default limit: 1000 ms per bar
    writeFileSync(cfg, JSON.stringify({ router: { mode: 'equal' }, experts: { custom: [{ name: 'stuck', module: './stuck.ts' }] } }));
    const db = join(dir, 'stuck.db');
    const pp = arena(['paper', '--config', cfg, ...MARKET, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(pp.code, pp.stderr).toBe(0);
    const events = readRows(db, "SELECT kind, detail FROM events WHERE kind = 'expert_disabled'") as { detail: string }[];
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatch(/^expert stuck did not finish bar 600 within 1000 ms \(a step that never returns, .*\); its thread was stopped; disabled for the rest of the run$/);
    expect(readRows(db, 'SELECT COUNT(*) AS n FROM equity')).toEqual([{ n: 1500 }]);
    const bt = arena(['backtest', '--config', cfg, ...MARKET, '--out', join(dir, 'stuck-bt')]);
    expect(bt.code, bt.stderr).toBe(0);
    expect(bt.stdout).toMatch(/Experts disabled\s+│ stuck at .*did not finish bar 600/);
    const [p, q] = [paperBooks(db), backtestBooks(join(dir, 'stuck-bt'))];
    expect(p.fills).toBe(q.fills);
    expect(Math.abs(p.equity - q.equity) / q.equity).toBeLessThan(1e-9);
  }, 120_000);

  it('optimize and recursive-analysis run it on its thread too: a step that never returns ends the command with the reason, not a hang', () => {
    // a shorter limit than the default keeps the test short (each stuck trial waits it out)
    const cfg = join(dir, 'stuck-300.json');
    writeFileSync(cfg, JSON.stringify({ router: { mode: 'equal' }, experts: { userTimeoutMs: 300, custom: [{ name: 'stuck', module: './stuck.ts' }] } }));
    const out = join(dir, 'opt-stuck');
    const opt = arena(['optimize', '--config', cfg, ...MARKET, '--space', 'portfolio', '--trials', '3', '--folds', '2', '--out', out]);
    expect(opt.code, opt.stderr).toBe(2);
    expect(opt.stderr).toMatch(/ARENA_E_EXPERT_MODULE: expert module stuck \(.*stuck\.ts\): with \{\}: expert stuck did not finish bar 600 within 300 ms/);
    // the trials whose bars reach 600 are infeasible, with the reason; the others ran
    const results = (readRows(join(out, 'ledger.db'), 'SELECT result FROM optimize_trials') as { result: string }[]).map((r) => JSON.parse(r.result) as { note?: string });
    expect(results.filter((r) => /an expert failed: .*did not finish bar 600/.test(r.note ?? '')).length).toBeGreaterThan(0);
    expect(results.filter((r) => r.note === undefined).length).toBeGreaterThan(0);
    const rec = arena(['recursive-analysis', '--config', cfg, '--synthetic', '--bars', '3000', '--assets', '3', '--out', join(dir, 'rec-stuck')]);
    expect(rec.code, rec.stderr).toBe(2);
    expect(rec.stderr).toMatch(/ARENA_E_EXPERT_MODULE: expert module stuck \(.*\): in recursive-analysis, over 3000 bars: expert stuck did not finish bar 600 within 300 ms/);
  }, 120_000);

  it('on the daemon thread (experts.userTimeoutMs 0), a step that never returns: the watchdog logs the bar and kills the daemon (--step-timeout), the ledger stays resumable', () => {
    const cfg = join(dir, 'stuck-inline.json');
    writeFileSync(cfg, JSON.stringify({ router: { mode: 'equal' }, experts: { userTimeoutMs: 0, custom: [{ name: 'stuck', module: './stuck.ts' }] } }));
    const db = join(dir, 'stuck-inline.db');
    const started = Date.now();
    const r = spawnSync(process.execPath, [...CLI, 'paper', '--config', cfg, ...MARKET, '--speed', 'max', '--step-timeout', '2', '--db', db, '--port', '0'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ARENA_PROGRESS: '0' }, timeout: 90_000 });
    expect(r.signal, r.stderr.slice(-2000)).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(60_000);
    const line = r.stderr.split('\n').find((l) => l.includes('"event":"step_timeout"'));
    expect(line, r.stderr.slice(-2000)).toBeDefined();
    const bar = JSON.parse(line!).bar as string;
    expect(readRows(db, 'SELECT ts FROM bars WHERE t = 600 LIMIT 1')).toEqual([]);
    expect(JSON.parse(line!).msg).toMatch(/has not returned after 2 s \(a user expert's step that never returns\?\): killing the process/);
    expect(countIn(db, 'SELECT COUNT(*) AS n FROM equity')).toBeLessThanOrEqual(600);
    const summary = arena(['ledger', 'summary', '--db', db, '--json']);
    expect(summary.code, summary.stderr).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({ status: 'running' });
    expect(new Date(bar).getTime()).toBeGreaterThan(0);
  }, 120_000);

  it('an expert that throws mid-run is disabled with the reason in the ledger; the others go on, and the backtest agrees', () => {
    const file = join(dir, 'late.ts');
    // passes the probe (400 bars), throws at bar 1000 of the run
    writeFileSync(file, `export default { warmup: 5, step: (_s, bar) => { if (bar.t >= 1000) throw new Error('feed me'); return bar.close > bar.open ? 0.5 : -0.5; } };\n`);
    const cfg = join(dir, 'late.json');
    writeFileSync(cfg, JSON.stringify({ router: { mode: 'equal' }, experts: { custom: [{ name: 'late', module: './late.ts' }] } }));
    const db = join(dir, 'late.db');
    const pp = arena(['paper', '--config', cfg, ...MARKET, '--speed', 'max', '--exit-at-end', '--db', db, '--port', '0']);
    expect(pp.code, pp.stderr).toBe(0);
    const events = readRows(db, "SELECT kind, detail FROM events WHERE kind = 'expert_disabled'") as { detail: string }[];
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatch(/expert late failed at bar 1000, asset 0: step threw: feed me; disabled for the rest of the run/);
    // and in the log, once
    expect(pp.stderr.split('\n').filter((l) => /"event":"expert_disabled"/.test(l) && /feed me/.test(l))).toHaveLength(1);
    expect(readRows(db, 'SELECT COUNT(*) AS n FROM equity')).toEqual([{ n: 1500 }]);
    const bt = arena(['backtest', '--config', cfg, ...MARKET, '--out', join(dir, 'late-bt')]);
    expect(bt.code, bt.stderr).toBe(0);
    expect(bt.stdout).toMatch(/Experts disabled\s+│ late at .*feed me/);
    // report.json rounds equity to 4 decimals
    const [p, q] = [paperBooks(db), backtestBooks(join(dir, 'late-bt'))];
    expect(p.fills).toBe(q.fills);
    expect(Math.abs(p.equity - q.equity) / q.equity).toBeLessThan(1e-9);
  }, 120_000);
});
