// The entry of the worker that selects ahead of a backtest: TypeScript through tsx (registered in this thread), then the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./selectionsAheadThread.ts');
