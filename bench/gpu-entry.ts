/** The GPU machine's benchmark: backends found, then the kernel table on each, as JSON (bundled by bench/gpu-bundle.sh). */
import { writeFileSync } from 'node:fs';
import { type KernelBenchRow, crossovers, initRuntime, probeBackends, runKernelBenchmark } from '@arena/kernels';

const out = process.argv[2] ?? 'kernels-gpu.json';
const budgetMs = Number(process.env['ARENA_BENCH_KERNEL_MS'] ?? 120_000);
const started = Date.now();
const probes = await probeBackends(false);
for (const p of probes) console.log(`${p.name.padEnd(10)} ${p.available ? 'yes' : 'no '} ${p.detail}`);
const rows: KernelBenchRow[] = [];
const crossover: Record<string, Record<string, number>> = {};
const adapters: Record<string, unknown> = {};
// the hardware GPU first (most of the budget), then wasm for comparison
for (const [name, share] of [['webgpu', 0.7], ['wasm', 0.3]] as const) {
  const rt = await initRuntime({ backend: name, allowSoftwareGpu: false });
  if (rt.info.backend !== name) {
    console.log(`${name}: unavailable, skipped`);
    continue;
  }
  adapters[name] = rt.info.adapter ?? rt.info.probes.at(-1)?.detail;
  const mine = await runKernelBenchmark(rt, { budgetMs: budgetMs * share, log: (s) => console.log(`  ${name}: ${s}`) });
  rows.push(...mine);
  crossover[name] = crossovers(mine);
}
writeFileSync(out, `${JSON.stringify({ machine: { node: process.version, platform: `${process.platform}-${process.arch}` }, probes, adapters, crossover, rows, seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
console.log(`wrote ${out} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
