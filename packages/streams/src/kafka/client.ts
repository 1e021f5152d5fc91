/** kafkajs clients with Arena's settings: retries with back-off (reconnects when brokers go away), logs routed to one function. */
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** the client's lines; `warn` for what an operator should see (KafkaJS's warnings and errors, failed commits) */
  readonly log?: (s: string, level?: 'warn') => void;
}

/** Splits and checks --brokers: host:port[,host:port...]. */
export function parseBrokers(s: string): string[] {
  const list = s.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
  if (list.length === 0 || list.some((b) => !/^[^\s:]+:\d{1,5}$/.test(b))) throw new Error(`--brokers must be host:port[,host:port...], got ${JSON.stringify(s)}`);
  return list;
}

export function kafkaClient(o: KafkaOptions): Kafka {
  const log = o.log ?? (() => undefined);
  const config: KafkaConfig = {
    clientId: o.clientId ?? 'arena',
    brokers: [...o.brokers],
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 30 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, error } = entry.log as { message: string; error?: string };
      log(`kafka ${entry.namespace}: ${message}${error ? ` (${error})` : ''}`, 'warn');
    },
  };
  return new Kafka(config);
}
