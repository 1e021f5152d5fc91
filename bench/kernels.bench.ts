/** kernels: throughput of every kernel on every backend here, at sizes from 8 x 1k to 512 x 100k, and the crossovers. */
import { writeFileSync } from 'node:fs';
import { type KernelBenchRow, THRESHOLDS_FILE, type ThresholdTable, crossovers, initRuntime, runKernelBenchmark } from '@arena/kernels';
import { type Bench, QUICK, sized } from './harness.ts';

const BACKENDS = sized(['cpu', 'wasm', 'webgpu', 'tensorflow'] as const, ['cpu', 'wasm'] as const);

export const kernelsBench: Bench = {
  name: 'kernels',
  description: 'each kernel x backend x size in elements/s; CPU/tensor crossover sizes (written to thresholds.json)',
  async run() {
    const budgetMs = Number(process.env['ARENA_BENCH_KERNEL_MS'] ?? sized(60_000, 2_000));
    const rows: KernelBenchRow[] = [];
    const table: ThresholdTable = {};
    const adapters: Record<string, string> = {};
    for (const name of BACKENDS) {
      const rt = await initRuntime({ backend: name, allowSoftwareGpu: true });
      if (rt.info.backend !== name) {
        process.stderr.write(`kernels: ${name} unavailable (${rt.info.probes.find((p) => p.name === name)?.detail})\n`);
        continue;
      }
      if (rt.info.adapter) adapters[name] = `${rt.info.adapter.software ? 'software' : 'hardware'}: ${rt.info.adapter.device || rt.info.adapter.description}`;
      const mine = await runKernelBenchmark(rt, { budgetMs: budgetMs / BACKENDS.length, ...(QUICK ? { sizes: [[8, 1_000]] as const } : {}), log: (s) => process.stderr.write(`  ${name}: ${s}\n`) });
      rows.push(...mine);
      table[name] = crossovers(mine);
    }
    // the CPU reference rows are the same on every backend: keep one set, labelled backend "cpu-reference"
    const dedup = rows.filter((r) => r.implementation !== 'cpu' || r.backend === 'cpu').map((r) => (r.implementation === 'cpu' ? { ...r, backend: 'cpu-reference' } : r));
    if (!QUICK) writeFileSync(THRESHOLDS_FILE, `${JSON.stringify(table, null, 2)}\n`);
    const fmt = (r: KernelBenchRow) => [`${r.kernel} ${r.backend}/${r.implementation} ${r.assets}x${r.bars}`, (r.elementsPerSec / 1e6).toFixed(2), 'M elem/s'] as const;
    return {
      rows: [
        ...dedup.map(fmt),
        ...Object.entries(table).flatMap(([b, t]) => Object.entries(t ?? {}).map(([k, size]) => [`crossover ${k} on ${b}`, size.toLocaleString('en-US'), 'elements'] as const)),
      ],
      json: {
        rows: dedup.map((r) => ({ kernel: r.kernel, backend: r.backend, implementation: r.implementation, assets: r.assets, bars: r.bars, elementsPerSec: r.elementsPerSec, ms: r.ms })),
        crossovers: table,
        adapters,
        budgetMs,
      },
    };
  },
};
