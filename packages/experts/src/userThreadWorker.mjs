// A user expert's thread (userThread.ts): TypeScript through tsx (registered in this thread), then the thread's module.
import { register } from 'tsx/esm/api';
// CommonJS too: a user's .ts module outside a "type": "module" package is loaded as CommonJS (as `node --import tsx` does)
import { register as registerCjs } from 'tsx/cjs/api';

register();
registerCjs();
await import('./userThreadWorker.ts');
