/** `arena feed --source replay --to kafka`: publishes normalised bars for the daemon (and anyone else) to consume. */
import { ERR, arenaError, parseTimeframe } from '@arena/core';
import { barsTopic, feedKafka, kafkaClient, liveSource, parseBrokers, parseSpeed } from '@arena/streams';
import { loadMarket } from '@arena/engine';
import { Partitioners } from 'kafkajs';
import { parseNumber } from '../configFile.ts';
import { createProgress } from '../progress.ts';
import { type BacktestFlags, configFromFlags } from './backtest.ts';

export interface FeedFlags extends Omit<BacktestFlags, 'baselines' | 'out'> {
  source: string;
  to: string;
  brokers: string;
  venue: string;
  speed: string;
  exchange: string;
  exchangeUrl?: string;
  pollMs: string;
}

export async function feedCommand(flags: FeedFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  let brokers: string[];
  let speed: number | 'max';
  try {
    brokers = parseBrokers(flags.brokers);
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--brokers', (e as Error).message);
  }
  try {
    speed = parseSpeed(flags.speed);
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--speed', (e as Error).message);
  }
  if (flags.source === 'live') return feedLive(flags, brokers, log);
  const config = configFromFlags({ ...flags, baselines: false, out: '' });
  const { panel, source } = await loadMarket(config, log);
  const progress = createProgress('feed');
  const r = await feedKafka(panel, { brokers, venue: flags.venue, speed, log, onProgress: (d, n) => progress.update(d, n) });
  progress.done();
  log(`published ${r.messages} bars of ${panel.nAssets} symbols (${source}) to arena.md.bars.${panel.timeframe} on ${brokers.join(',')} in ${r.ms.toFixed(0)} ms (${((r.messages / r.ms) * 1000).toFixed(0)} messages/s)`);
}

/** Live: polls the exchange's public OHLCV (ccxt) and publishes each closed bar time until SIGINT/SIGTERM. */
async function feedLive(flags: FeedFlags, brokers: string[], log: (s: string) => void): Promise<void> {
  if (flags.symbols === undefined || flags.timeframe === undefined) throw arenaError(ERR.CLI_ARG, '--source live', 'needs --symbols and --timeframe');
  const symbols = flags.symbols.split(',').map((x) => x.trim());
  const timeframe = parseTimeframe(flags.timeframe);
  const pollMs = parseNumber('--poll-ms', flags.pollMs);
  let stop = false;
  process.on('SIGINT', () => (stop = true));
  process.on('SIGTERM', () => (stop = true));
  let source;
  try {
    source = await liveSource({ exchange: flags.exchange, symbols, timeframe, pollMs, ...(flags.exchangeUrl ? { baseUrl: flags.exchangeUrl } : {}), stopping: () => stop, log });
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--source live', (e as Error).message);
  }
  const producer = kafkaClient({ brokers, log }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let n = 0;
  try {
    for await (const bar of source) {
      const messages = symbols.flatMap((symbol, a) =>
        bar.row.present[a] === 1
          ? [{ key: `${flags.venue}:${symbol}`, value: JSON.stringify({ venue: flags.venue, symbol, tf: timeframe, ts: bar.ts, open: bar.row.open[a], high: bar.row.high[a], low: bar.row.low[a], close: bar.row.close[a], volume: bar.row.volume[a] }) }]
          : [],
      );
      await producer.send({ topic: barsTopic(timeframe), messages, acks: -1 });
      n += messages.length;
      if (n <= messages.length || n % 1000 < messages.length) log(`published ${n} bars so far (last ${new Date(bar.ts).toISOString()})`);
    }
  } finally {
    await producer.disconnect();
  }
  log(`stopped: published ${n} live bars to ${barsTopic(timeframe)}`);
}
