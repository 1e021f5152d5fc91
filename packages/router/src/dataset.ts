/**
 * Training samples for the router over assets x time: the chart (as bytes), the temporal vector, the hindsight
 * regime label and the oracle's soft expert distribution, plus the reward terms RL needs (labels.ts). Decision
 * bars are taken every `stride` bars; chronological splits with a purge gap of one reward horizon.
 */
import type { BarPanel } from '@arena/core';
import type { ConvInputs } from '@arena/features';
import { toByte } from '@arena/kernels';
import { renderCharts } from './charts.ts';
import { type Hindsight, type LabelOptions, hindsight, oracleDistribution } from './labels.ts';
import type { ChartSpec } from './spec.ts';
import { buildTemporal } from './temporal.ts';

export interface DatasetOptions {
  readonly chart: ChartSpec;
  readonly labels: LabelOptions;
  /** a decision bar every `stride` bars */
  readonly stride: number;
  /** first decision bar (history the temporal features need) */
  readonly warmup: number;
  /** true regimes per cell (the synthetic market's), used as labels instead of the hindsight rule */
  readonly regimeTruth?: Uint8Array;
  /** cost per unit traded in the experts' trailing performance inputs (temporal.ts; default 0: gross) */
  readonly temporalCost?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RouterDataset {
  readonly n: number;
  readonly nAssets: number;
  readonly dim: number;
  readonly chart: ChartSpec;
  /** panel cell (t * A + a) and bar t of each sample */
  readonly cells: Int32Array;
  readonly times: Int32Array;
  /** [n x size x size x 3] bytes (pixel x 255) */
  readonly images: Uint8Array;
  /** [n x dim] */
  readonly temporal: Float32Array;
  readonly regime: Int8Array;
  /** [n x E] */
  readonly oracle: Float32Array;
  /** reward terms of the whole panel, indexed by cell */
  readonly hindsight: Hindsight;
}

export function buildDataset(panel: BarPanel, experts: readonly Float64Array[], features: ConvInputs | undefined, nFeatures: number, o: DatasetOptions): RouterDataset {
  const A = panel.nAssets;
  const T = panel.nTimes;
  const E = experts.length;
  const h = hindsight(panel, experts, o.labels);
  const { x: allTemporal, dim } = buildTemporal(panel, experts, features, nFeatures, o.temporalCost ?? 0);
  const ends: number[] = [];
  for (let t = Math.max(o.warmup, o.chart.window - 1); t + Math.max(o.labels.horizon, o.labels.regimeHorizon) < T; t += o.stride) ends.push(t);
  const cells: number[] = [];
  for (const t of ends) {
    for (let a = 0; a < A; a++) {
      const c = t * A + a;
      // hindsight labels every valid cell
      if (h.valid[c] !== 1) continue;
      cells.push(c);
    }
  }
  const n = cells.length;
  const S = o.chart.size;
  const px = S * S * 3;
  const images = new Uint8Array(n * px);
  const temporal = new Float32Array(n * dim);
  const regime = new Int8Array(n);
  const oracle = new Float32Array(n * E);
  // render in chunks of decision bars (all assets), keep the samples' images as bytes
  const CHUNK = 64;
  let k = 0;
  for (let i = 0; i < ends.length; i += CHUNK) {
    const chunk = ends.slice(i, i + CHUNK);
    const img = renderCharts(panel, chunk, o.chart);
    chunk.forEach((t, j) => {
      for (let a = 0; a < A; a++) {
        if (k >= n || cells[k] !== t * A + a) continue;
        const src = (j * A + a) * px;
        const dst = k * px;
        for (let p = 0; p < px; p++) images[dst + p] = toByte(img[src + p]!);
        k++;
      }
    });
    o.onProgress?.(Math.min(i + CHUNK, ends.length), ends.length);
  }
  cells.forEach((c, s) => {
    temporal.set(allTemporal.subarray(c * dim, (c + 1) * dim), s * dim);
    regime[s] = o.regimeTruth !== undefined ? o.regimeTruth[c]! : h.regime[c]!;
    oracleDistribution(h, c, o.labels.oracleTemp, oracle, s * E);
  });
  const cellArr = Int32Array.from(cells);
  return { n, nAssets: A, dim, chart: o.chart, cells: cellArr, times: cellArr.map((c) => Math.floor(c / A)), images, temporal, regime, oracle, hindsight: h };
}

export interface Splits {
  readonly train: Int32Array;
  readonly valid: Int32Array;
  readonly test: Int32Array;
  /** bar ranges [from, to) of each split */
  readonly rows: { train: [number, number]; valid: [number, number]; test: [number, number] };
}

/**
 * Chronological splits of the samples by bar: train, validation, test by the given fractions of [first, last]
 * bar, dropping samples within `purge` bars after a boundary (their reward window overlaps the previous split).
 */
export function splitByTime(ds: RouterDataset, fractions: readonly [number, number, number], purge: number): Splits {
  const t0 = ds.times[0] ?? 0;
  const t1 = (ds.times[ds.n - 1] ?? 0) + 1;
  const span = t1 - t0;
  const b1 = t0 + Math.round(span * fractions[0]);
  const b2 = b1 + Math.round(span * fractions[1]);
  const train: number[] = [];
  const valid: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < ds.n; i++) {
    const t = ds.times[i]!;
    if (t < b1 - purge) train.push(i);
    else if (t >= b1 && t < b2 - purge) valid.push(i);
    else if (t >= b2) test.push(i);
  }
  return { train: Int32Array.from(train), valid: Int32Array.from(valid), test: Int32Array.from(test), rows: { train: [t0, b1], valid: [b1, b2], test: [b2, t1] } };
}
