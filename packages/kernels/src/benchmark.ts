/**
 * Kernel throughput: every registered kernel, on each implementation a runtime offers (the CPU reference, tfjs
 * ops, WGSL), at sizes from 8 assets x 1k bars up to 512 x 100k, in elements per second; and the crossover size
 * from which the tensor path beats the CPU reference (what thresholds.json records). Shared by
 * `npm run bench -- kernels` and `arena doctor --bench`.
 */
import { type Implementation, runKernel } from './dispatch.ts';
import { type Kernel, registeredKernels } from './kernel.ts';
import { type Matrix, matrix } from './matrix.ts';
import type { Runtime } from './runtime/runtime.ts';
import { Rng } from '@arena/core';
import './registerAll.ts';

export interface KernelBenchRow {
  readonly kernel: string;
  readonly backend: string;
  readonly implementation: Implementation;
  readonly assets: number;
  readonly bars: number;
  readonly elementsPerSec: number;
  readonly ms: number;
}

export const BENCH_SIZES: readonly (readonly [number, number])[] = [
  [8, 1_000],
  [64, 10_000],
  [512, 100_000],
];

/** Random-walk OHLCV-like matrices of one shape, built once per size and shared by every kernel. */
export interface SampleData {
  readonly close: Matrix;
  readonly open: Matrix;
  readonly high: Matrix;
  readonly low: Matrix;
  readonly volume: Matrix;
  readonly returns: Matrix;
}

const sampleCache = new Map<string, SampleData>();

/** Sample matrices of one shape, generated once per process (the largest takes seconds and 2.5 GB). */
export function sampleData(assets: number, bars: number, seed = 1): SampleData {
  const key = `${assets}x${bars}x${seed}`;
  let d = sampleCache.get(key);
  if (d === undefined) {
    d = makeSampleData(assets, bars, seed);
    sampleCache.set(key, d);
  }
  return d;
}

function makeSampleData(assets: number, bars: number, seed: number): SampleData {
  const rng = new Rng(seed);
  const close = matrix(bars, assets);
  const open = matrix(bars, assets);
  const high = matrix(bars, assets);
  const low = matrix(bars, assets);
  const volume = matrix(bars, assets);
  const returns = matrix(bars, assets);
  for (let a = 0; a < assets; a++) {
    let p = 100 * (1 + a);
    for (let t = 0; t < bars; t++) {
      const i = t * assets + a;
      const prev = p;
      const r = 0.01 * rng.normal();
      p *= Math.exp(r);
      open.data[i] = prev;
      close.data[i] = p;
      high.data[i] = Math.max(prev, p) * (1 + 0.003 * Math.abs(rng.normal()));
      low.data[i] = Math.min(prev, p) * (1 - 0.003 * Math.abs(rng.normal()));
      volume.data[i] = 1000 * Math.exp(0.3 * rng.normal());
      returns.data[i] = r;
    }
  }
  return { close, open, high, low, volume, returns };
}

function firstColumns(x: Matrix, n: number): Matrix {
  if (x.cols <= n) return x;
  const out = matrix(x.rows, n);
  for (let t = 0; t < x.rows; t++) out.data.set(x.data.subarray(t * x.cols, t * x.cols + n), t * n);
  return out;
}

/** The input and parameters each kernel is measured with (typical trading settings); undefined for a kernel without a case, or at a size its case would not fit in memory. */
export function benchCase(name: string, d: SampleData): { input: unknown; params: unknown } | undefined {
  const w = { window: 20 };
  switch (name) {
    case 'RollingMean':
    case 'RollingStd':
    case 'RollingZScore':
    case 'RollingMax':
    case 'RollingMin':
    case 'RealizedVol':
      return { input: d.close, params: w };
    case 'RollingSharpe':
      return { input: d.returns, params: w };
    case 'Ema':
      return { input: d.close, params: { span: 20 } };
    case 'LogReturns':
      return { input: d.close, params: { lags: [1, 4, 24] } };
    case 'Rsi':
      return { input: d.close, params: { window: 14 } };
    case 'Atr':
      return { input: { high: d.high, low: d.low, close: d.close }, params: { window: 14 } };
    case 'Macd':
      return { input: d.close, params: { fast: 12, slow: 26, signal: 9 } };
    case 'RollingCorrelation':
      return { input: d.returns, params: { window: 50, ref: 0 } };
    case 'RollingCovariance':
      return { input: d.returns, params: { window: 50, rows: [d.returns.rows - 1] } };
    case 'CrossSectionalRank':
    case 'CrossSectionalZScore':
      return { input: d.close, params: {} };
    case 'CorrelationMatrix':
      // assets stand in for features (at most 64, like a feature catalogue): rows x cols^2 multiply-adds
      return { input: firstColumns(d.returns, 64), params: {} };
    case 'CombineExperts': {
      const e = [d.returns, d.close, d.volume, d.high, d.low];
      return { input: { exposures: e, logits: e }, params: { temperature: 1 } };
    }
    case 'RasterizeCharts': {
      // one 64x64 chart per asset at each of up to 16 end rows
      const ends = Array.from({ length: Math.min(16, Math.max(1, Math.floor(d.close.rows / 64) - 1)) }, (_, i) => d.close.rows - 1 - i * 64);
      return {
        input: { open: d.open, high: d.high, low: d.low, close: d.close, volume: d.volume, ends },
        params: { window: 64, width: 64, height: 64, maWindow: 20, volumeFraction: 0.25 },
      };
    }
    case 'AgentRewards': {
      // 256 agents' proposals over every row and asset, scored against the next bar's return; not measured
      // beyond 2^28 proposals (1 GiB: 512 x 100k would be 13 G, past what one typed array holds)
      const agents = 256;
      if (d.returns.rows * agents * d.returns.cols > 2 ** 28) return undefined;
      const proposals = new Float32Array(d.returns.rows * agents * d.returns.cols);
      // a fixed pattern in [-1, 1] (Math.sin per element took seconds at this size)
      for (let i = 0; i < proposals.length; i++) proposals[i] = ((i * 37) % 201) / 100 - 1;
      return { input: { proposals, agents, returns: d.returns }, params: { slot: 1 / d.returns.cols, cost: 0.0012 } };
    }
    default:
      return undefined;
  }
}

export function implementationsOf(rt: Runtime, k: Kernel<unknown, unknown, unknown>): Implementation[] {
  const out: Implementation[] = ['cpu'];
  if (k.tfjs) out.push('tfjs');
  if (k.webgpu && rt.gpu) out.push('webgpu');
  return out;
}

/** Median time of repeated runs within a time slice (at least one run, one warm-up when it is cheap). */
export async function timeKernel(rt: Runtime, k: Kernel<unknown, unknown, unknown>, impl: Implementation, input: unknown, params: unknown, sliceMs: number): Promise<number> {
  const t0 = performance.now();
  await runKernel(rt, k, input, params, impl);
  const first = performance.now() - t0;
  if (first * 3 > sliceMs) return first;
  const times: number[] = [];
  const deadline = performance.now() + sliceMs;
  while (times.length < 7 && (times.length < 2 || performance.now() < deadline)) {
    const s = performance.now();
    await runKernel(rt, k, input, params, impl);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

export interface KernelBenchOptions {
  readonly budgetMs: number;
  readonly sizes?: readonly (readonly [number, number])[];
  readonly log?: (line: string) => void;
}

/** Measures every kernel x implementation x size within a time budget; sizes whose estimate exceeds their share are skipped. */
export async function runKernelBenchmark(rt: Runtime, opts: KernelBenchOptions): Promise<KernelBenchRow[]> {
  const sizes = opts.sizes ?? BENCH_SIZES;
  const kernels = registeredKernels().filter((k) => benchCase(k.name, sampleData(2, 2)) !== undefined);
  const rows: KernelBenchRow[] = [];
  const perCase = opts.budgetMs / Math.max(1, kernels.length * sizes.length * 2);
  const deadline = performance.now() + opts.budgetMs;
  for (const [assets, bars] of sizes) {
    if (performance.now() > deadline) {
      opts.log?.(`budget spent: sizes from ${assets}x${bars} on not measured`);
      break;
    }
    const data = sampleData(assets, bars);
    for (const k of kernels) {
      // once the budget is spent, a kernel measured at a smaller size is skipped before its case is built (the
      // contest's case at 64 x 10k is 164 M proposals: building it would take longer than the whole budget)
      if (performance.now() > deadline && rows.some((r) => r.kernel === k.name)) {
        opts.log?.(`skip ${k.name} ${assets}x${bars}: budget spent`);
        continue;
      }
      const c = benchCase(k.name, data);
      if (c === undefined) {
        opts.log?.(`skip ${k.name} ${assets}x${bars}: no case at this size`);
        continue;
      }
      const elements = k.size(c.input, c.params);
      for (const impl of implementationsOf(rt, k)) {
        // skip a size the previous size's rate says would blow the budget
        const prev = rows.filter((r) => r.kernel === k.name && r.implementation === impl).at(-1);
        const left = deadline - performance.now();
        if (prev && (elements / prev.elementsPerSec) * 1000 > Math.min(left, Math.max(perCase * 4, 2000))) {
          opts.log?.(`skip ${k.name} ${impl} ${assets}x${bars}: ~${((elements / prev.elementsPerSec)).toFixed(1)} s estimated`);
          continue;
        }
        const ms = await timeKernel(rt, k, impl, c.input, c.params, perCase);
        rows.push({ kernel: k.name, backend: rt.info.backend, implementation: impl, assets, bars, ms, elementsPerSec: elements / (ms / 1000) });
        opts.log?.(`${k.name} ${impl} ${assets}x${bars}: ${ms.toFixed(1)} ms`);
      }
    }
  }
  return rows;
}

/** Per kernel, the smallest measured size (elements) at which a tensor implementation beat the CPU reference. */
export function crossovers(rows: readonly KernelBenchRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  const kernels = [...new Set(rows.map((r) => r.kernel))];
  for (const k of kernels) {
    const mine = rows.filter((r) => r.kernel === k);
    const sizes = [...new Set(mine.map((r) => r.assets * r.bars))].sort((a, b) => a - b);
    for (const size of sizes) {
      const at = mine.filter((r) => r.assets * r.bars === size);
      const cpu = at.find((r) => r.implementation === 'cpu');
      const best = Math.max(...at.filter((r) => r.implementation !== 'cpu').map((r) => r.elementsPerSec));
      if (cpu && best > cpu.elementsPerSec) {
        out[k] = size;
        break;
      }
    }
  }
  return out;
}
