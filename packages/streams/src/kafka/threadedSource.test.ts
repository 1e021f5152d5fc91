import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { threadedKafkaSource } from './threadedSource.ts';

describe('threadedKafkaSource', () => {
  it('a stop while the consumer cannot reach any broker: the stream ends at once, its thread said who it is', async () => {
    let stop = false;
    setTimeout(() => (stop = true), 800);
    const threads: number[] = [];
    const started = performance.now();
    // nothing listens on port 1: the client retries with back-off for minutes
    const stream = await threadedKafkaSource({ brokers: ['127.0.0.1:1'], groupId: 'nobody', timeframe: '1h', symbols: ['SYN0/USD'], stopping: () => stop, onThread: (tid) => threads.push(tid) });
    expect(performance.now() - started).toBeLessThan(5000);
    expect((await stream[Symbol.asyncIterator]().next()).done).toBe(true);
    await stream.close();
    if (existsSync('/proc/thread-self')) {
      expect(threads).toHaveLength(1);
      expect(Number.isInteger(threads[0])).toBe(true);
    }
  }, 20_000);
});
