/** `npm run bench [-- NAME ...]`: runs every benchmark (or the named ones), prints a table each, writes bench/results/NAME.json. */
import { ERR, arenaError, isArenaError } from '@arena/core';
import { backtestBench } from './backtest.bench.ts';
import { kernelsBench } from './kernels.bench.ts';
import { featuresBench } from './features.bench.ts';
import { routerBench } from './router.bench.ts';
import { contestBench } from './contest.bench.ts';
import { paperBench } from './paper.bench.ts';
import { dashboardBench } from './dashboard.bench.ts';
import { optimizeBench } from './optimize.bench.ts';
import { type Bench, printTable, writeResult } from './harness.ts';

const BENCHES: readonly Bench[] = [backtestBench, kernelsBench, featuresBench, routerBench, contestBench, paperBench, dashboardBench, optimizeBench];

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const chosen = names.length === 0 ? BENCHES : names.map((n) => BENCHES.find((b) => b.name === n) ?? (() => { throw arenaError(ERR.BENCH_UNKNOWN, n, BENCHES.map((b) => b.name).join(', ')); })());
  for (const bench of chosen) {
    process.stderr.write(`running ${bench.name}: ${bench.description}\n`);
    const report = await bench.run();
    const path = writeResult(bench.name, report.json);
    process.stdout.write(`${printTable(bench.name, report.rows)}\nwritten ${path}\n\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${isArenaError(e) ? e.message : String((e as Error).stack ?? e)}\n`);
  process.exitCode = 2;
});
