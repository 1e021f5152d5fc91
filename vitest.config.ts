import { configDefaults, defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const ALL = ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'];
/**
 * files that start daemons or servers whose timing they assert, or bound a latency or a watchdog's timeout (200 ms to
 * 5 s): run one at a time. The README's commands (readme.e2e, the longest file) assert what the commands print and
 * write, and wait for a daemon's health as long as it takes: they share the CPU with the other files
 */
const ALONE = [
  ...['kafka', 'resume', 'paper', 'responsive', 'dashboard', 'live', 'userExpert'].map((f) => `test/${f}.e2e.test.ts`),
  'packages/experts/src/userThread.test.ts',
  'packages/router/src/vlmRouter.test.ts',
  'packages/router/src/vlm/client.test.ts',
];

export default defineConfig({
  resolve: {
    alias: {
      '@arena/core': src('./packages/core/src/index.ts'),
      '@arena/kernels/testing': src('./packages/kernels/src/testing.ts'),
      '@arena/kernels': src('./packages/kernels/src/index.ts'),
      '@arena/streams/testing': src('./packages/streams/src/testing.ts'),
      '@arena/streams': src('./packages/streams/src/index.ts'),
      '@arena/features': src('./packages/features/src/index.ts'),
      '@arena/experts': src('./packages/experts/src/index.ts'),
      '@arena/router': src('./packages/router/src/index.ts'),
      '@arena/contest': src('./packages/contest/src/index.ts'),
      '@arena/dashboard': src('./apps/dashboard/src/index.ts'),
      '@arena/engine': src('./packages/engine/src/index.ts'),
    },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // one TMPDIR per run, removed at its end (test/tmpdir.setup.ts); the CLI the tests start, bundled once (test/cliBundle.setup.ts)
    globalSetup: ['./test/tmpdir.setup.ts', './test/cliBundle.setup.ts'],
    projects: [
      // first, two files at a time: unit tests and the CLI end-to-end tests without a daemon or a latency bound
      {
        extends: true,
        test: { name: 'parallel', include: ALL, exclude: [...configDefaults.exclude, ...ALONE], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      // then one file at a time: daemons, servers, user-module watchdogs and the VLM client's timeouts, whose tests bound latencies
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
