/**
 * `arena feed --to kafka`: publishes a panel's bars (replay files or the synthetic market) as normalised bar
 * messages on `arena.md.bars.<tf>`, keyed `venue:symbol` (so one symbol stays in one partition, in order).
 */
import type { BarPanel } from '@arena/core';
import { Partitioners } from 'kafkajs';
import { kafkaClient, type KafkaOptions } from './client.ts';
import { type BarMessage, barsTopic } from './message.ts';

export interface FeedOptions extends KafkaOptions {
  readonly venue: string;
  /** bars times per second; 'max': as fast as the brokers take them */
  readonly speed: number | 'max';
  readonly onProgress?: (done: number, total: number) => void;
}

export function barMessage(panel: BarPanel, venue: string, t: number, a: number): BarMessage {
  const i = t * panel.nAssets + a;
  return { venue, symbol: panel.symbols[a]!, tf: panel.timeframe, ts: panel.ts[t]!, open: panel.open[i]!, high: panel.high[i]!, low: panel.low[i]!, close: panel.close[i]!, volume: panel.volume[i]! };
}

export async function feedKafka(panel: BarPanel, o: FeedOptions): Promise<{ messages: number; ms: number }> {
  const kafka = kafkaClient(o);
  const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const topic = barsTopic(panel.timeframe);
  const started = performance.now();
  const pause = o.speed === 'max' ? 0 : 1000 / o.speed;
  const perBatch = o.speed === 'max' ? 64 : 1;
  let messages = 0;
  try {
    for (let t0 = 0; t0 < panel.nTimes; t0 += perBatch) {
      const batch = [];
      for (let t = t0; t < Math.min(panel.nTimes, t0 + perBatch); t++) {
        for (let a = 0; a < panel.nAssets; a++) {
          if (panel.present[t * panel.nAssets + a] !== 1) continue;
          const m = barMessage(panel, o.venue, t, a);
          batch.push({ key: `${o.venue}:${m.symbol}`, value: JSON.stringify(m) });
        }
      }
      if (batch.length > 0) await producer.send({ topic, messages: batch, acks: -1 });
      messages += batch.length;
      o.onProgress?.(Math.min(panel.nTimes, t0 + perBatch), panel.nTimes);
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  } finally {
    await producer.disconnect();
  }
  return { messages, ms: performance.now() - started };
}
