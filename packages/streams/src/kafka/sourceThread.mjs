// The Kafka consumer thread's entry: TypeScript through tsx (registered in this thread), then the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./sourceThread.ts');
