/** `arena optimize`: flags -> config -> the market and the user's experts -> the engine's walk-forward study; prints and writes it. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ERR, arenaError } from '@arena/core';
import { loadUserExperts } from '@arena/experts';
import { Ledger, OBJECTIVES, foldBlocks, type Objective, SAMPLERS, type SamplerName, configSnippet, loadMarket, optimize, optimizeTable, searchSpace, writeOptimize } from '@arena/engine';
import { parseNumber } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import { type BacktestFlags, configFromFlags } from './backtest.ts';

export interface OptimizeFlags extends Omit<BacktestFlags, 'baselines' | 'contest' | 'agents' | 'router' | 'routerModel'> {
  trials: string;
  folds: string;
  objective: string;
  minTrades: string;
  sampler: string;
  space?: string;
  workers?: string;
  study?: string;
  optSeed: string;
}

function int(flag: string, text: string, min: number): number {
  const v = parseNumber(flag, text);
  if (!(Number.isInteger(v) && v >= min)) throw arenaError(ERR.CLI_ARG, flag, `"${text}" is not an integer >= ${min}`);
  return v;
}

export async function optimizeCommand(flags: OptimizeFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const trials = int('--trials', flags.trials, 1);
  const folds = int('--folds', flags.folds, 1);
  const minTrades = int('--min-trades', flags.minTrades, 0);
  const seed = int('--opt-seed', flags.optSeed, 0);
  const workers = flags.workers === undefined ? Math.max(1, Math.min(availableParallelism(), 8)) : int('--workers', flags.workers, 1);
  if (!(OBJECTIVES as readonly string[]).includes(flags.objective)) throw arenaError(ERR.CLI_ARG, '--objective', `"${flags.objective}" (expected ${OBJECTIVES.join(', ')})`);
  if (!(SAMPLERS as readonly string[]).includes(flags.sampler)) throw arenaError(ERR.CLI_ARG, '--sampler', `"${flags.sampler}" (expected ${SAMPLERS.join(', ')})`);
  const config = configFromFlags({ ...flags, baselines: false });
  // the user's experts before anything is written: a broken module stops here
  const user = await loadUserExperts(config.experts.custom, { probe: config.experts.userTimeoutMs });
  let dims;
  try {
    dims = searchSpace(config, user, flags.space?.split(',').map((s) => s.trim()));
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--space', (e as Error).message);
  }
  const market = loadMarket(config, log);
  const { panel, source } = market;
  try {
    foldBlocks(panel.nTimes, folds);
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--folds', (e as Error).message);
  }
  const dbPath = flags.db ?? join(flags.out, 'ledger.db');
  let ledger: Ledger;
  try {
    ledger = Ledger.open(dbPath);
  } catch (e) {
    throw arenaError(ERR.LEDGER, (e as Error).message);
  }
  log(`optimize: ${dims.length} parameters (${[...new Set(dims.map((d) => d.group))].join(', ')}), ${trials} trials x ${folds} folds, ${flags.objective}, ${flags.sampler} sampler, ${workers} worker thread${workers === 1 ? '' : 's'}; ${panel.nAssets} assets x ${panel.nTimes} bars of ${source}`);
  const progress = createProgress('optimize');
  let result;
  try {
    result = await optimize({
      panel,
      ...(market.fundingDue ? { fundingDue: market.fundingDue } : {}),
      source,
      config,
      user,
      dims,
      objective: flags.objective as Objective,
      minTrades,
      trials,
      folds,
      sampler: flags.sampler as SamplerName,
      seed,
      workers,
      ledger,
      ...(flags.study ? { study: flags.study } : {}),
      onProgress: (d, n) => progress.update(d, n),
      log,
    });
  } finally {
    progress.done();
    ledger.close();
  }
  process.stdout.write(`${optimizeTable(result)}\n`);
  process.stdout.write(`recommended values (fold ${result.folds.length}'s winner), as a config snippet:\n${configSnippet(result.recommended)}\n`);
  const paths = writeOptimize(flags.out, { source, symbols: panel.symbols, timeframe: panel.timeframe }, result);
  process.stdout.write(`${result.trialsRun} trials in ${result.seconds.toFixed(1)} s (${result.trialsPerSec.toFixed(1)} trials/s on ${result.workers} workers${result.resumedTrials > 0 ? `; ${result.resumedTrials} resumed from the ledger` : ''}); study ${result.study} in ${dbPath}; report: ${paths.json}, ${paths.html}\n`);
}
