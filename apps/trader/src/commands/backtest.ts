/** `arena backtest`: flags -> config -> the engine's market, models and backtest; prints and writes the report. */
import { join } from 'node:path';
import { type ArenaConfig, ERR, arenaError } from '@arena/core';
import { ContestLedger, Ledger, loadMarket, loadModels, otherTimeframeModels, otherTimeframeWarning, runBacktest, writeReports } from '@arena/engine';
import { loadConfig, parseNumber, parseWeights } from '../configFile.ts';
import { createProgress } from '../progress.ts';

export interface BacktestFlags {
  config?: string;
  data?: string;
  symbols?: string;
  timeframe?: string;
  timerange?: string;
  feeBps?: string;
  out: string;
  synthetic?: boolean;
  seed?: string;
  assets?: string;
  bars?: string;
  strict?: boolean;
  longOnly?: boolean;
  market?: string;
  leverage?: string;
  weights?: string;
  router?: string;
  routerModel?: string;
  contest?: boolean;
  agents?: string;
  db?: string;
  baselines: boolean;
}

export function configFromFlags(f: BacktestFlags): ArenaConfig {
  const num = (flag: string, v: string | undefined) => (v === undefined ? undefined : parseNumber(flag, v));
  const config = loadConfig(f.config, {
    'data.dir': f.synthetic ? undefined : f.data,
    'data.symbols': f.symbols?.split(',').map((s) => s.trim()),
    'data.timeframe': f.timeframe,
    'data.timerange': f.timerange,
    'data.strict': f.strict,
    'synthetic.seed': num('--seed', f.seed),
    'synthetic.assets': num('--assets', f.assets),
    'synthetic.bars': num('--bars', f.bars),
    'synthetic.timeframe': f.synthetic || !f.data ? f.timeframe : undefined,
    'broker.feeBps': num('--fee-bps', f.feeBps),
    'portfolio.longOnly': f.longOnly,
    'market.kind': f.market,
    'market.leverage': num('--leverage', f.leverage),
    'experts.weights': f.weights === undefined ? undefined : parseWeights(f.weights),
    // --weights alone means: combine with these static weights
    'router.mode': f.router ?? (f.weights !== undefined ? 'static' : f.routerModel !== undefined ? 'model' : undefined),
    'router.model': f.routerModel,
    'contest.enabled': f.contest,
    'contest.agents': num('--agents', f.agents),
  });
  if (f.synthetic !== true) return config;
  // --synthetic wins over a data folder named in the config file
  const { dir: _ignored, ...data } = config.data;
  return { ...config, data };
}

export async function backtestCommand(flags: BacktestFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const config = configFromFlags(flags);
  const market = loadMarket(config, log);
  const { panel, source } = market;
  if (panel.nTimes < 2) throw arenaError(ERR.DATA_TOO_SHORT, panel.nTimes, source, 2);
  const models = await loadModels(config, log, market.funding, { compareRouter: flags.baselines !== false });
  for (const m of otherTimeframeModels(models, { routing: models.router, beside: models.comparisonRouter }, panel.timeframe)) log(`warning: ${otherTimeframeWarning(m, panel.timeframe)}`);
  const ledgerPath = flags.db ?? join(flags.out, 'ledger.db');
  const ledger = config.contest.enabled ? Ledger.open(ledgerPath) : undefined;
  const runId = ledger?.startRun({ kind: 'backtest', source, symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config });
  const contestSink = ledger && runId !== undefined ? new ContestLedger(ledger, runId) : undefined;
  const progress = createProgress('backtest');
  const started = performance.now();
  let result;
  try {
    result = await runBacktest({
      panel,
      config,
      source,
      dataIssues: market.dataIssues,
      baselines: flags.baselines,
      models,
      ...(models.comparisonRouter ? { comparisonRouter: models.comparisonRouter } : {}),
      ...(market.funding ? { funding: market.funding } : {}),
      ...(market.fundingDue ? { fundingDue: market.fundingDue } : {}),
      ...(contestSink ? { contestSink } : {}),
      compute: { backend: models.backend, experts: 'streaming', note: 'the pipeline stepped bar by bar, its stateless stages precomputed over the panel (held equal to stepping by test/parity.e2e.test.ts)' },
      onProgress: (_stage, done, total) => progress.update(done, total),
    });
    contestSink?.finish();
  } finally {
    ledger?.close();
  }
  progress.done();
  const elapsed = performance.now() - started;
  const written = writeReports(result, flags.out);
  process.stdout.write(written.summary);
  for (const h of result.halts ?? []) log(h.reason);
  const team = result.contest?.dataTeam;
  if (team) log(`data team: ${team.length} factor producers scored by rank IC every ${config.contest.window} bars; chosen: ${team.map((d) => `${d.name} ${(d.chosenShare * 100).toFixed(0)}%`).join(', ')}`);
  log(
    `\n${panel.nAssets * panel.nTimes} asset-bars in ${elapsed.toFixed(0)} ms` +
      ` (strategy + ${result.baselines.length} baselines); report: ${written.json}, ${written.html}${written.decisions ? `, ${written.decisions}` : ''}` +
      `${contestSink ? `; contest ledger: ${ledgerPath} (arena contest report --db ${ledgerPath})` : ''}`,
  );
}
