/** `arena feed --source replay --to kafka`: publishes normalised bars for the daemon (and anyone else) to consume. */
import { E, arenaError } from '@arena/core';
import { feedKafka, parseBrokers, parseSpeed } from '@arena/streams';
import { createProgress } from '../progress.ts';
import { type BacktestFlags, configFromFlags, loadMarket } from './backtest.ts';

export interface FeedFlags extends Omit<BacktestFlags, 'baselines' | 'out'> {
  source: string;
  to: string;
  brokers: string;
  venue: string;
  speed: string;
}

export async function feedCommand(flags: FeedFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  if (flags.source !== 'replay') throw arenaError(E.CLI_ARG, '--source', `${flags.source}: the ccxt live source is not wired yet; use replay`);
  let brokers: string[];
  let speed: number | 'max';
  try {
    brokers = parseBrokers(flags.brokers);
  } catch (e) {
    throw arenaError(E.CLI_ARG, '--brokers', (e as Error).message);
  }
  try {
    speed = parseSpeed(flags.speed);
  } catch (e) {
    throw arenaError(E.CLI_ARG, '--speed', (e as Error).message);
  }
  const config = configFromFlags({ ...flags, baselines: false, out: '' });
  const { panel, source } = await loadMarket(config, log);
  const progress = createProgress('feed');
  const r = await feedKafka(panel, { brokers, venue: flags.venue, speed, log, onProgress: (d, n) => progress.update(d, n) });
  progress.done();
  log(`published ${r.messages} bars of ${panel.nAssets} symbols (${source}) to arena.md.bars.${panel.timeframe} on ${brokers.join(',')} in ${r.ms.toFixed(0)} ms (${((r.messages / r.ms) * 1000).toFixed(0)} messages/s)`);
}
