/**
 * The backtest's batch mode on the tensor kernels: each rule expert rewritten as whole-panel kernel calls (EMA,
 * rolling mean / std / max / min) plus an O(1)-per-bar CPU pass for what is sequential (breakout's position).
 * Same formulas and seeds as the streaming experts, so on the CPU reference the two agree to ~1e-12; on float32
 * backends within the tolerances stated in kernelBatch.test.ts. Interior missing bars change what a window means
 * (the streaming experts skip them), so a panel with a hole inside an asset's range is left to the streaming path.
 */
import type { ArenaConfig, BarPanel } from '@arena/core';
import {
  EmaKernel,
  type Implementation,
  type Kernel,
  type Matrix,
  RollingMaxKernel,
  RollingMeanKernel,
  RollingMinKernel,
  RollingStdKernel,
  type Runtime,
  chooseImplementation,
  runKernel,
} from '@arena/kernels';
import { clamp, type Expert, type ExpertContext, type ExpertSeries, runExpertBatch } from './expert.ts';
import { FlatExpert } from './learned.ts';

/** First and last present row of each asset (-1 when it has none). */
function presentSpans(panel: BarPanel): { first: Int32Array; last: Int32Array } {
  const A = panel.nAssets;
  const first = new Int32Array(A).fill(-1);
  const last = new Int32Array(A).fill(-1);
  for (let t = 0; t < panel.nTimes; t++) {
    for (let a = 0; a < A; a++) {
      if (panel.present[t * A + a] !== 1) continue;
      if (first[a] === -1) first[a] = t;
      last[a] = t;
    }
  }
  return { first, last };
}

/**
 * Why a panel cannot take the kernel path, or undefined when it can: no missing bar between an asset's first
 * and last bar (late starts and early ends are fine).
 */
export function kernelBatchObstacle(panel: BarPanel): string | undefined {
  const A = panel.nAssets;
  const { first, last } = presentSpans(panel);
  for (let a = 0; a < A; a++) {
    for (let t = first[a]!; t >= 0 && t <= last[a]!; t++) {
      if (panel.present[t * A + a] !== 1) return `${panel.symbols[a]} misses the bar at ${new Date(panel.ts[t]!).toISOString()} inside its range`;
    }
  }
  return undefined;
}

/** After an asset's last bar the streaming experts repeat their last output: do the same on the kernel path. */
function holdAfterLastBar(panel: BarPanel, series: ExpertSeries): ExpertSeries {
  const A = panel.nAssets;
  const { last } = presentSpans(panel);
  for (let a = 0; a < A; a++) {
    const end = last[a]!;
    if (end < 0) continue;
    for (let t = end + 1; t < panel.nTimes; t++) {
      series.exposure[t * A + a] = series.exposure[end * A + a]!;
      series.confidence[t * A + a] = series.confidence[end * A + a]!;
    }
  }
  return series;
}

const asMatrix = (panel: BarPanel, data: Float64Array): Matrix => ({ rows: panel.nTimes, cols: panel.nAssets, data });

/** Per column: f(prev, cur) from the second bar on, `first` on the first bar, NaN before (the streaming seeds). */
function changes(panel: BarPanel, f: (prev: number, cur: number) => number, first: number): Matrix {
  const { nTimes: T, nAssets: A, close } = panel;
  const out = new Float64Array(T * A).fill(NaN);
  for (let a = 0; a < A; a++) {
    let prev = NaN;
    for (let t = 0; t < T; t++) {
      const c = close[t * A + a]!;
      if (c !== c) continue;
      out[t * A + a] = prev !== prev ? first : f(prev, c);
      prev = c;
    }
  }
  return asMatrix(panel, out);
}

/** Bars seen so far per cell (1 on an asset's first bar), 0 before it. */
function seenCounts(panel: BarPanel): Float64Array {
  const { nTimes: T, nAssets: A, present } = panel;
  const seen = new Float64Array(T * A);
  for (let a = 0; a < A; a++) {
    let n = 0;
    for (let t = 0; t < T; t++) {
      if (present[t * A + a] === 1) n++;
      seen[t * A + a] = n;
    }
  }
  return seen;
}

type Run = <P>(kernel: Kernel<Matrix, P, Matrix>, input: Matrix, params: P) => Promise<Matrix>;

async function trend(panel: BarPanel, p: ArenaConfig['experts']['trend'], run: Run, seen: Float64Array): Promise<ExpertSeries> {
  const close = asMatrix(panel, panel.close);
  const [fast, slow, variance] = await Promise.all([
    run(EmaKernel, close, { span: p.fast }),
    run(EmaKernel, close, { span: p.slow }),
    run(EmaKernel, changes(panel, (a, b) => (b - a) * (b - a), 0), { span: p.volWindow }),
  ]);
  const scale = p.gain / Math.sqrt(p.slow);
  const exposure = new Float64Array(seen.length);
  for (let i = 0; i < exposure.length; i++) {
    const g = scale * (fast.data[i]! - slow.data[i]!);
    const v = variance.data[i]!;
    exposure[i] = seen[i]! >= p.slow && v > 0 ? g / Math.sqrt(v + g * g) : 0;
  }
  return { name: 'trend', exposure, confidence: exposure.map(Math.abs) };
}

async function reversal(panel: BarPanel, p: ArenaConfig['experts']['reversal'], run: Run, seen: Float64Array): Promise<ExpertSeries> {
  const close = asMatrix(panel, panel.close);
  const span = 2 * p.rsiWindow - 1; // Wilder's alpha 1 / n as an EMA span
  const [mean, std, gains, losses] = await Promise.all([
    run(RollingMeanKernel, close, { window: p.window }),
    run(RollingStdKernel, close, { window: p.window }),
    run(EmaKernel, changes(panel, (a, b) => Math.max(b - a, 0), 0), { span }),
    run(EmaKernel, changes(panel, (a, b) => Math.max(a - b, 0), 0), { span }),
  ]);
  const warmup = Math.max(p.window, p.rsiWindow + 1);
  const invSpan = 1 / Math.max(p.zMax - p.entryZ, 1e-9);
  const exposure = new Float64Array(seen.length);
  for (let i = 0; i < exposure.length; i++) {
    if (seen[i]! < warmup) continue;
    const sd = std.data[i]!;
    const dev = panel.close[i]! - mean.data[i]!;
    if (!(sd > 0) || Math.abs(dev) < p.entryZ * sd) continue;
    const az = Math.abs(dev) / sd;
    const gl = gains.data[i]! + losses.data[i]!;
    const rsiStretch = gl > 0 ? (gains.data[i]! - losses.data[i]!) / gl : 0;
    const agree = dev > 0 ? rsiStretch : -rsiStretch;
    const size = clamp((az - p.entryZ) * invSpan, 0, 1) * (0.5 + 0.5 * Math.max(agree, 0));
    exposure[i] = dev > 0 ? -size : size;
  }
  return { name: 'reversal', exposure, confidence: exposure.map(Math.abs) };
}

async function breakout(panel: BarPanel, p: ArenaConfig['experts']['breakout'], run: Run, seen: Float64Array): Promise<ExpertSeries> {
  const high = asMatrix(panel, panel.high);
  const low = asMatrix(panel, panel.low);
  const [upper, lower, exitUpper, exitLower, avgVolume] = await Promise.all([
    run(RollingMaxKernel, high, { window: p.window }),
    run(RollingMinKernel, low, { window: p.window }),
    run(RollingMaxKernel, high, { window: p.exitWindow }),
    run(RollingMinKernel, low, { window: p.exitWindow }),
    run(RollingMeanKernel, asMatrix(panel, panel.volume), { window: p.volumeWindow }),
  ]);
  const { nTimes: T, nAssets: A, close, volume } = panel;
  const warmup = Math.max(p.window, p.exitWindow, p.volumeWindow) + 1;
  const confScale = 1 / (2 * p.volumeMult || 1);
  const exposure = new Float64Array(T * A);
  const confidence = new Float64Array(T * A);
  // the position is a state machine over time; the channels are those of the previous bar (row t - 1)
  for (let a = 0; a < A; a++) {
    let position = 0;
    let conf = 0;
    for (let t = 1; t < T; t++) {
      const i = t * A + a;
      const j = i - A;
      if (seen[i]! >= warmup) {
        const c = close[i]!;
        const v = volume[i]!;
        const avg = avgVolume.data[j]!;
        const confirmed = avg > 0 && v > p.volumeMult * avg;
        if (position <= 0 && confirmed && c > upper.data[j]!) {
          position = 1;
          conf = Math.min(1, (v / avg) * confScale);
        } else if (position >= 0 && confirmed && c < lower.data[j]!) {
          position = -1;
          conf = Math.min(1, (v / avg) * confScale);
        } else if ((position > 0 && c < exitLower.data[j]!) || (position < 0 && c > exitUpper.data[j]!)) {
          position = 0;
          conf = 0;
        }
      }
      exposure[i] = position;
      confidence[i] = conf;
    }
  }
  return { name: 'breakout', exposure, confidence };
}

async function positioning(panel: BarPanel, p: ArenaConfig['experts']['positioning'], run: Run, seen: Float64Array, ctx: ExpertContext): Promise<ExpertSeries> {
  const close = asMatrix(panel, panel.close);
  const [variance, windowPeak] = await Promise.all([
    run(EmaKernel, changes(panel, (a, b) => (a !== 0 ? ((b - a) / Math.abs(a)) * ((b - a) / Math.abs(a)) : 0), 0), { span: p.volWindow }),
    run(RollingMaxKernel, close, { window: p.ddWindow }),
  ]);
  const { nTimes: T, nAssets: A } = panel;
  const targetVarPerBar = (p.targetVol * p.targetVol) / ctx.periodsPerYear;
  const exposure = new Float64Array(T * A);
  const confidence = new Float64Array(T * A);
  for (let a = 0; a < A; a++) {
    let runningPeak = -Infinity; // until the window is full the streaming peak is the max so far
    for (let t = 0; t < T; t++) {
      const i = t * A + a;
      const c = panel.close[i]!;
      if (c === c && c > runningPeak) runningPeak = c;
      if (seen[i]! < p.volWindow) continue;
      const peak = seen[i]! >= p.ddWindow ? windowPeak.data[i]! : runningPeak;
      const dd = peak !== 0 ? (peak - c) / Math.abs(peak) : 0;
      const conf = clamp(1 - dd / p.maxDrawdown, 0, 1);
      const v = variance.data[i]!;
      exposure[i] = (v > targetVarPerBar ? Math.sqrt(targetVarPerBar / v) : 1) * conf;
      confidence[i] = conf;
    }
  }
  return { name: 'positioning', exposure, confidence };
}

/**
 * Whether the kernel path can beat the streaming experts here: only when the measured crossovers send at least
 * one of its kernels to the tensor backend at this panel's size. On the CPU reference alone it does the same
 * arithmetic in more passes (measured ~3.7x slower than streaming on the 8 x 120k 5m set), so it is not used.
 */
export function kernelPathPays(panel: BarPanel, rt: Runtime): boolean {
  const close = asMatrix(panel, panel.close);
  return (
    chooseImplementation(rt, EmaKernel, close, { span: 20 }) !== 'cpu' ||
    chooseImplementation(rt, RollingMeanKernel, close, { window: 20 }) !== 'cpu' ||
    chooseImplementation(rt, RollingStdKernel, close, { window: 20 }) !== 'cpu' ||
    chooseImplementation(rt, RollingMaxKernel, close, { window: 20 }) !== 'cpu'
  );
}

/**
 * All experts over the panel in EXPERT_NAMES order: the four rule experts through the kernels of a runtime, then
 * the learned one (its own batched path; flat when not given), or the reason the panel needs the streaming path. `force` pins one implementation (tests); otherwise each kernel call goes
 * to the CPU reference or the tensor backend by the measured crossover size.
 */
export async function computeExpertsWithKernels(
  panel: BarPanel,
  config: ArenaConfig['experts'],
  ctx: ExpertContext,
  rt: Runtime,
  force?: Implementation,
  learned?: Expert,
): Promise<ExpertSeries[] | { obstacle: string }> {
  const obstacle = kernelBatchObstacle(panel);
  if (obstacle !== undefined) return { obstacle };
  const run: Run = (kernel, input, params) => runKernel(rt, kernel, input, params, force);
  const seen = seenCounts(panel);
  // one after the other: the tensor backends serialise work anyway, and this bounds peak memory
  const t = await trend(panel, config.trend, run, seen);
  const r = await reversal(panel, config.reversal, run, seen);
  const b = await breakout(panel, config.breakout, run, seen);
  const p = await positioning(panel, config.positioning, run, seen, ctx);
  const l = runExpertBatch(learned ?? new FlatExpert('learned', 'no model loaded'), panel, ctx);
  return [...[t, r, b, p].map((series) => holdAfterLastBar(panel, series)), l];
}
