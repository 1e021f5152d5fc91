/**
 * `arena lookahead-analysis` and `arena recursive-analysis`: freqtrade's bias checks on Arena's pipeline. Both print
 * a table, write a JSON file, and exit 1 when they find a bias (0 when they find none), so CI can run them.
 */
import { ERR, arenaError } from '@arena/core';
import { loadUserExperts } from '@arena/experts';
import { loadMarket, loadModels, lookaheadAnalysis, lookaheadTable, recursiveAnalysis, recursiveMinBars, recursiveTable, writeBiasReport } from '@arena/engine';
import { parseNumber } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import { type BacktestFlags, configFromFlags } from './backtest.ts';

export interface BiasFlags extends Omit<BacktestFlags, 'out' | 'baselines'> {
  out: string;
  samples?: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

export async function lookaheadCommand(flags: BiasFlags): Promise<void> {
  const samples = flags.samples === undefined ? 12 : parseNumber('--samples', flags.samples);
  if (!(Number.isInteger(samples) && samples >= 1)) throw arenaError(ERR.CONFIG, `--samples must be a whole number >= 1, got ${flags.samples}`);
  const config = configFromFlags({ ...flags, baselines: false });
  const market = loadMarket(config, log);
  if (market.panel.nTimes < 100) throw arenaError(ERR.DATA_TOO_SHORT, market.panel.nTimes, market.source, 100);
  const models = await loadModels(config, log, market.funding);
  const progress = createProgress('lookahead-analysis');
  const report = await lookaheadAnalysis({ panel: market.panel, config, models, samples, ...(market.funding ? { funding: market.funding } : {}), onProgress: (d, n) => progress.update(d, n) });
  progress.done();
  process.stdout.write(`${lookaheadTable(report)}\n`);
  log(`wrote ${writeBiasReport(flags.out, 'lookahead', report)}`);
  log(report.biased ? `bias: ${report.stages.filter((s) => s.biased).map((s) => s.stage).join(', ')} changed when the data ended at the decision` : 'no look-ahead bias found');
  if (report.biased) process.exitCode = 1;
}

export async function recursiveCommand(flags: BiasFlags): Promise<void> {
  const config = configFromFlags({ ...flags, baselines: false });
  const market = loadMarket(config, log);
  // the shortest startup tested at every target bar: with fewer bars nothing would be tested, and "no bias" would mean nothing
  const needed = recursiveMinBars();
  if (market.panel.nTimes < needed) throw arenaError(ERR.DATA_TOO_SHORT, market.panel.nTimes, market.source, needed);
  const user = await loadUserExperts(config.experts.custom, { probe: config.experts.userTimeoutMs });
  const progress = createProgress('recursive-analysis');
  const report = recursiveAnalysis({ panel: market.panel, config, user, ...(market.funding ? { funding: market.funding } : {}), onProgress: (d, n) => progress.update(d, n) });
  progress.done();
  process.stdout.write(`${recursiveTable(report)}\n`);
  log(`wrote ${writeBiasReport(flags.out, 'recursive', report)}`);
  const needs = report.startupNeeded === null ? `more than ${report.startups.at(-1)} bars` : `${report.startupNeeded} bars`;
  log(`startup the indicators need to agree with the full history: ${needs}`);
  log(report.biased ? `bias: ${report.indicators.filter((c) => c.biased).map((c) => c.indicator).join(', ')} depend on more history than the longest startup tried` : 'no recursive bias found');
  if (report.biased) process.exitCode = 1;
}
