#!/usr/bin/env node
// The `arena` command: runs the TypeScript sources through tsx (no build step needed).
import { register } from 'tsx/esm/api';
// CommonJS too: a user's .ts module outside a "type": "module" package is loaded as CommonJS (as `node --import tsx` does)
import { register as registerCjs } from 'tsx/cjs/api';
register();
registerCjs();
await import('../src/main.ts');
