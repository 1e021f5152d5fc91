/** `arena features report`: the feature catalogue on a data folder (or the synthetic market), its dynamic selection, features.html/json. */
import { resolve } from 'node:path';
import { ERR, arenaError } from '@arena/core';
import { boxTable, loadMarket } from '@arena/engine';
import { DEFAULT_SELECTOR, type SelectorConfigInput, computeFeatures, runSelector, selectorConfig } from '@arena/features';
import { buildFeatureReport, selectionCounts, topByAbsIc, writeFeatureReport } from '@arena/features';
import { parseNumber } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import { type BacktestFlags, configFromFlags } from './backtest.ts';

export interface FeaturesReportFlags extends Omit<BacktestFlags, 'out' | 'baselines' | 'feeBps' | 'longOnly' | 'weights'> {
  out: string;
  window?: string;
  horizon?: string;
  reselectEvery?: string;
}

/** The selector defaults the flags fall back to (for the help text). */
export const SELECTOR_DEFAULTS = { window: DEFAULT_SELECTOR.window, horizon: DEFAULT_SELECTOR.horizon, reselectEvery: DEFAULT_SELECTOR.reselectEvery };

/** Selector settings from the flags, checked at once: a bad one is ARENA_E_CONFIG naming the setting and its flag. */
export function selectorFromFlags(flags: FeaturesReportFlags): SelectorConfigInput {
  const settings: [key: 'window' | 'horizon' | 'reselectEvery', flag: string, text: string | undefined][] = [
    ['window', '--window', flags.window],
    ['horizon', '--horizon', flags.horizon],
    ['reselectEvery', '--reselect-every', flags.reselectEvery],
  ];
  const input: { -readonly [K in 'window' | 'horizon' | 'reselectEvery']?: number } = {};
  for (const [key, flag, text] of settings) if (text !== undefined) input[key] = parseNumber(flag, text);
  try {
    selectorConfig(input);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const named = settings.find(([key, , text]) => text !== undefined && new RegExp(`features\\.${key}\\b`).test(message));
    throw arenaError(ERR.CONFIG, named ? `${message} (${named[1]})` : message);
  }
  return input;
}

export async function featuresReportCommand(flags: FeaturesReportFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const selector = selectorFromFlags(flags);
  const config = configFromFlags({ ...flags, out: '', baselines: false });
  const { panel, source, funding } = await loadMarket(config, log);
  const settings = selectorConfig(selector);
  const needed = settings.window + settings.horizon;
  if (panel.nTimes < needed) {
    log(`the selector needs window + horizon = ${needed} bars for its first selection; lower --window or widen the range`);
    throw arenaError(ERR.DATA_TOO_SHORT, panel.nTimes, source, needed);
  }

  let t0 = performance.now();
  const set = computeFeatures({ panel, ...(funding ? { funding } : {}) });
  log(`features: ${set.features.length} x ${panel.nTimes} bars x ${panel.nAssets} assets in ${(performance.now() - t0).toFixed(0)} ms`);

  t0 = performance.now();
  const progress = createProgress('feature selection');
  const run = runSelector(set, panel, selector, (done, total) => progress.update(done, total));
  progress.done();
  log(`selection: ${run.history.length} selections over ${panel.nTimes} bars in ${(performance.now() - t0).toFixed(0)} ms`);

  const model = buildFeatureReport({ set, panel, run, source });
  const written = writeFeatureReport(model, resolve(flags.out));

  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
  process.stdout.write(
    boxTable(
      `TOP FEATURES BY |RANK IC| (forward ${settings.horizon}-bar return, whole range)`,
      ['Feature', 'Group', 'Rank IC', 't', 'Hit rate', 'Selected'],
      topByAbsIc(model, 10).map((r) => [r.feature, r.group, r.rankIC.toFixed(4), r.icT.toFixed(1), pct(r.hitRate), pct(r.selectedShare)]),
    ) + '\n',
  );
  const counts = selectionCounts(model);
  const last = model.selections[model.selections.length - 1];
  process.stdout.write(
    `Selections: ${model.selections.length} (initial ${counts.initial}, scheduled ${counts.scheduled}, drift ${counts.drift})` +
      (last ? `; last at ${last.ts.slice(0, 16).replace('T', ' ')}: ${last.features.join(', ') || '(none)'}` : '') +
      '\n',
  );
  log(`report: ${written.html}, ${written.json}`);
}
