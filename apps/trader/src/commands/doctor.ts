/** `arena doctor`: which tensor backends this machine has, which one Arena picks and why, and the GPU adapter. */
import { parseInRange } from '../configFile.ts';
import { BENCH_SIZES, type BackendProbe, initRuntime, parseBackendRequest, probeBackends, runKernelBenchmark } from '@arena/kernels';

function adapterLine(probe: BackendProbe | undefined): string {
  return probe?.available ? probe.detail : 'none';
}

export async function doctorCommand(flags: { bench?: boolean; seconds: string }): Promise<void> {
  const seconds = parseInRange('--seconds', flags.seconds, 0.1, 3600, 'between 0.1 and 3600');
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const requested = parseBackendRequest(process.env['ARENA_BACKEND']);
  out(`Arena doctor  (node ${process.version}, ${process.platform}-${process.arch}, ARENA_BACKEND=${process.env['ARENA_BACKEND'] ?? 'auto'})`);
  // every backend, the software WebGPU adapter included, so the table shows all that could run
  const probes = await probeBackends(true);
  const rt = await initRuntime({ backend: requested });
  out('\nbackends found:');
  for (const p of probes) {
    const chosen = p.name === rt.info.backend ? '  <- chosen' : '';
    out(`  ${p.name.padEnd(10)} ${(p.available ? 'yes' : 'no').padEnd(4)} ${p.detail}${chosen}`);
  }
  out(`\nchosen: ${rt.info.backend} (${rt.info.reason})`);
  const webgpu = probes.find((p) => p.name === 'webgpu');
  const a = rt.info.adapter;
  out(
    a
      ? `adapter: vendor=${a.vendor || '?'} architecture=${a.architecture || '?'} device=${a.device || '?'} (${a.software ? 'software' : 'hardware'}, dawn ${a.dawnBackend})`
      : `adapter: not in use (webgpu: ${adapterLine(webgpu)})`,
  );
  if (webgpu?.available && webgpu.detail.startsWith('software') && rt.info.backend !== 'webgpu') {
    out('  the software WebGPU adapter is used only when asked: ARENA_BACKEND=webgpu (slow; for tests)');
  }
  if (flags.bench) {
    out(`\nkernel benchmark (~${seconds} s) on ${rt.info.backend}:`);
    // the two smaller sizes: the largest alone (512 x 100k) needs ~2.5 GB of samples; `npm run bench -- kernels` has it
    const rows = await runKernelBenchmark(rt, { budgetMs: seconds * 1000, sizes: BENCH_SIZES.slice(0, 2), log: (s) => process.stderr.write(`${s}\n`) });
    out(`  ${'kernel'.padEnd(22)} ${'impl'.padEnd(7)} ${'size'.padStart(14)} ${'elements/s'.padStart(12)}`);
    for (const r of rows) {
      out(`  ${r.kernel.padEnd(22)} ${r.implementation.padEnd(7)} ${`${r.assets}x${r.bars}`.padStart(14)} ${(r.elementsPerSec / 1e6).toFixed(1).padStart(10)} M`);
    }
  }
}
