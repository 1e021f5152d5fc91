/**
 * Router inference: the weights of the experts and the regime probabilities for every (bar, asset).
 * Batch mode (backtests) renders the charts for many bars at once and runs the net in large batches; step mode
 * (paper trading) renders the assets' charts at one bar. Both read the same temporal vectors (TemporalState
 * stepped bar by bar) and the same pixels (RasterizeCharts), so they agree to float rounding.
 * Before a full chart window, the router holds equal weights and a uniform regime.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { type BarPanel, EXPERT_NAMES } from '@arena/core';
import { type ConvInputs, preparePanel } from '@arena/features';
import type { Runtime } from '@arena/kernels';
import { renderCharts } from './charts.ts';
import { type DecisionSource, N_EXPERTS, N_REGIMES } from './decision.ts';
import type { LoadedRouter } from './io.ts';
import { softmaxInto } from './policy.ts';
import { type ChartSpec, DEFAULT_CHART } from './spec.ts';
import { TemporalState, buildTemporal } from './temporal.ts';

/** Routing of a whole panel: [cell * E + e] weights and [cell * R + r] regime probabilities, cell = t * A + a. */
export interface RoutingSeries {
  readonly nTimes: number;
  readonly nAssets: number;
  readonly weights: Float32Array;
  readonly regime: Float32Array;
  readonly source: DecisionSource;
  /** how the weights were made (model name, fallback reason, VLM counts) */
  readonly note: string;
  /** per cell: 1 where the decision fell back to the local router (VLM mode) */
  readonly fellBack?: Uint8Array;
  /** the charts the decisions looked at (re-render one with renderCharts) */
  readonly chart: ChartSpec;
}

/** Equal weights and a uniform regime everywhere. */
export function equalRouting(panel: BarPanel, note: string, chart: ChartSpec = DEFAULT_CHART): RoutingSeries {
  const n = panel.nTimes * panel.nAssets;
  return {
    nTimes: panel.nTimes,
    nAssets: panel.nAssets,
    weights: new Float32Array(n * N_EXPERTS).fill(1 / N_EXPERTS),
    regime: new Float32Array(n * N_REGIMES).fill(1 / N_REGIMES),
    source: 'equal',
    note,
    chart,
  };
}

/** Any router: weights for a whole panel from the experts' exposures (EXPERT_NAMES order). */
export interface Router {
  readonly source: DecisionSource;
  readonly note: string;
  route(panel: BarPanel, experts: readonly Float64Array[], funding?: Float64Array): Promise<RoutingSeries>;
}

export class EqualRouter implements Router {
  readonly source = 'equal' as const;
  constructor(readonly note: string) {}
  async route(panel: BarPanel): Promise<RoutingSeries> {
    return equalRouting(panel, this.note);
  }
}

const PREDICT_BATCH = 512;

export class ModelRouter implements Router {
  readonly source = 'model' as const;
  readonly note: string;

  constructor(
    readonly rt: Runtime,
    readonly loaded: LoadedRouter,
    readonly temperature: number,
    /** EWMA span of the weights over bars (1: none) */
    readonly smoothing = 1,
  ) {
    const c = loaded.card;
    this.note = `router ${c.name} (${c.cost.params} parameters; trained on ${c.data.source} ${c.data.timeframe} ${c.data.from.slice(0, 10)}..${c.data.to.slice(0, 10)}), temperature ${temperature}, smoothing ${smoothing} bars`;
    if (c.experts.join(',') !== EXPERT_NAMES.join(',')) throw new Error(`the router at ${loaded.dir} weights experts [${c.experts.join(', ')}], Arena has [${EXPERT_NAMES.join(', ')}]: retrain it`);
  }

  get model(): LayersModel {
    return this.loaded.model;
  }

  /** The masked z-scored features the router was trained with (undefined when it uses none). */
  prepare(panel: BarPanel, funding?: Float64Array): ConvInputs | undefined {
    const card = this.loaded.card;
    if (card.features.length === 0) return undefined;
    const prepared = preparePanel(panel, funding, card.selector);
    const names = prepared.set.features.map((f) => f.name);
    if (names.join(',') !== card.features.join(',')) {
      throw new Error(`the router at ${this.loaded.dir} was trained on features [${card.features.join(', ')}], the catalogue now has [${names.join(', ')}]: retrain it`);
    }
    return prepared.inputs;
  }

  async route(panel: BarPanel, experts: readonly Float64Array[], funding?: Float64Array): Promise<RoutingSeries> {
    return this.routeWith(panel, experts, this.prepare(panel, funding));
  }

  /** Batch mode over every bar. */
  async routeWith(panel: BarPanel, experts: readonly Float64Array[], features: ConvInputs | undefined): Promise<RoutingSeries> {
    const { card } = this.loaded;
    const A = panel.nAssets;
    const T = panel.nTimes;
    const out = equalRouting(panel, this.note, card.spec.chart);
    const { x, dim } = buildTemporal(panel, experts, features, card.features.length);
    const first = card.spec.chart.window - 1;
    const perChunk = Math.max(1, Math.floor(PREDICT_BATCH / A));
    for (let t = first; t < T; t += perChunk) {
      const ends: number[] = [];
      for (let k = t; k < Math.min(T, t + perChunk); k++) ends.push(k);
      const images = renderCharts(panel, ends, card.spec.chart);
      const temporal = x.subarray(ends[0]! * A * dim, (ends[ends.length - 1]! + 1) * A * dim);
      await this.predictInto(images, temporal, ends.length * A, ends[0]! * A, out.weights, out.regime);
    }
    // EWMA over bars per asset (a missing bar keeps the previous weights), the same recursion as the stepper's
    const alpha = 2 / (this.smoothing + 1);
    const E = N_EXPERTS;
    if (alpha < 1) {
      for (let t = 1; t < T; t++) {
        for (let a = 0; a < A; a++) {
          const c = (t * A + a) * E;
          const p = ((t - 1) * A + a) * E;
          const keep = panel.present[t * A + a] !== 1;
          for (let e = 0; e < E; e++) out.weights[c + e] = keep ? out.weights[p + e]! : out.weights[p + e]! + alpha * (out.weights[c + e]! - out.weights[p + e]!);
        }
      }
    }
    return { ...out, source: 'model' };
  }

  /**
   * Runs the net on n (image, temporal) rows and writes weights/regime for cells first .. first + n. The read-back
   * is asynchronous: tfjs-backend-webgpu in Node cannot read synchronously.
   */
  async predictInto(images: Float32Array, temporal: Float32Array, n: number, first: number, weights: Float32Array, regime: Float32Array): Promise<void> {
    const { tf } = this.rt;
    const { spec } = this.loaded.card;
    const S = spec.chart.size;
    const W = N_REGIMES + N_EXPERTS;
    const y = tf.tidy(() => this.model.predictOnBatch([tf.tensor4d(images, [n, S, S, 3]), tf.tensor2d(temporal, [n, spec.temporal])]) as Tensor);
    const raw = (await y.data()) as Float32Array;
    y.dispose();
    for (let i = 0; i < n; i++) {
      softmaxInto(raw, i * W, N_REGIMES, 1, regime, (first + i) * N_REGIMES);
      softmaxInto(raw, i * W + N_REGIMES, N_EXPERTS, this.temperature, weights, (first + i) * N_EXPERTS);
    }
  }

  /** A per-step router for paper trading over a panel of nAssets. */
  stepper(nAssets: number): RouterStepper {
    return new RouterStepper(this, nAssets);
  }
}

/** Step mode: consume bars in order; each step writes the A assets' weights and regimes. Buffers are reused. */
export class RouterStepper {
  private readonly state: TemporalState;
  private readonly temporal: Float32Array;
  private readonly prev: Float32Array;
  private started = false;

  constructor(
    private readonly router: ModelRouter,
    readonly nAssets: number,
  ) {
    const card = router.loaded.card;
    this.state = new TemporalState(nAssets, N_EXPERTS, card.features.length);
    this.temporal = new Float32Array(nAssets * this.state.dim);
    this.prev = new Float32Array(nAssets * N_EXPERTS);
  }

  /** Bar t: weights [A x E] and regime [A x R] into the given arrays (at offset 0). */
  async step(panel: BarPanel, t: number, experts: readonly Float64Array[], features: ConvInputs | undefined, weights: Float32Array, regime: Float32Array): Promise<void> {
    const A = this.nAssets;
    const chart = this.router.loaded.card.spec.chart;
    this.state.step(panel, t, experts, features, this.temporal, 0);
    if (t < chart.window - 1) {
      weights.fill(1 / N_EXPERTS, 0, A * N_EXPERTS);
      regime.fill(1 / N_REGIMES, 0, A * N_REGIMES);
    } else {
      const images = renderCharts(panel, [t], chart);
      await this.router.predictInto(images, this.temporal, A, 0, weights, regime);
    }
    const alpha = 2 / (this.router.smoothing + 1);
    if (this.started && alpha < 1) {
      for (let a = 0; a < A; a++) {
        const keep = panel.present[t * A + a] !== 1;
        for (let e = a * N_EXPERTS; e < (a + 1) * N_EXPERTS; e++) weights[e] = keep ? this.prev[e]! : this.prev[e]! + alpha * (weights[e]! - this.prev[e]!);
      }
    }
    this.prev.set(weights.subarray(0, A * N_EXPERTS));
    this.started = true;
  }
}
