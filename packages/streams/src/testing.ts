/** @arena/streams/testing: fixtures for tests (malformed Kafka messages, a local exchange that answers like Binance). */
export { malformed } from './kafka/testing.ts';
export { startTestExchange } from './live/testExchange.ts';
