/** @arena/streams: market sources (files, synthetic; Kafka and ccxt later) and their validation. */
export * from './csv.ts';
export * from './resample.ts';
export * from './loadDataset.ts';
export * from './funding.ts';
export * from './inspect.ts';
export * from './importCsv.ts';
export * from './synthetic.ts';
export * from './replay.ts';
export * from './validate.ts';
export * from './kafka/message.ts';
export * from './kafka/aligner.ts';
export * from './kafka/client.ts';
export * from './kafka/source.ts';
export * from './kafka/threadedSource.ts';
export * from './kafka/feed.ts';
export * from './live/ccxtSource.ts';
