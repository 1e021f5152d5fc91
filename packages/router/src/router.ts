/**
 * Router inference: the weights of the experts and the regime probabilities for every (bar, asset).
 * Each asset is routed every `every` bars (staggered across assets by bar time, so every bar routes about
 * A / every assets), its decision held in between; the weights are smoothed by an EWMA over bars. Batch mode
 * (RoutingBatch, fed bar by bar; routeWith feeds it a whole panel) renders the due charts and runs the net in large
 * batches; RouterStage steps one bar. Both read the same temporal vectors (TemporalState) and pixels
 * (RasterizeCharts) and apply the same hold-and-smooth, so they agree (the router tests hold them equal). Before a
 * full chart window: equal weights and a uniform regime.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { type BarPanel, timeframeMs } from '@arena/core';
import { type ConvInputs, preparePanel } from '@arena/features';
import type { Runtime } from '@arena/kernels';
import { renderNetCharts } from './charts.ts';
import { type DecisionSource, N_EXPERTS, N_REGIMES } from './decision.ts';
import type { LoadedRouter } from './io.ts';
import { routerInference } from './model.ts';
import { shrinkTowardsEqual, softmaxInto } from './policy.ts';
import { type ChartSpec, DEFAULT_CHART } from './spec.ts';
import { TemporalState } from './temporal.ts';

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
export function equalRouting(panel: BarPanel, note: string, chart: ChartSpec = DEFAULT_CHART, nExperts: number = N_EXPERTS): RoutingSeries {
  const n = panel.nTimes * panel.nAssets;
  return {
    nTimes: panel.nTimes,
    nAssets: panel.nAssets,
    weights: new Float32Array(n * nExperts).fill(1 / nExperts),
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
  /** over as many experts as it is given (the built-in ones and the user's) */
  async route(panel: BarPanel, experts: readonly Float64Array[] = []): Promise<RoutingSeries> {
    return equalRouting(panel, this.note, DEFAULT_CHART, Math.max(N_EXPERTS, experts.length));
  }
}

const PREDICT_BATCH = 512;

export class ModelRouter implements Router {
  readonly source = 'model' as const;
  readonly note: string;
  /** the card's shrinkage towards equal weights (0: none) */
  readonly shrink: number;
  /** the experts it weights: its card's (the built-in ones, then any user experts it was trained with) */
  readonly nExperts: number;
  /** the net's forward pass for inference (routerInference: its layers' ops, bit for bit) */
  private readonly forward: (images: Tensor, temporal: Tensor) => Tensor;

  constructor(
    readonly rt: Runtime,
    readonly loaded: LoadedRouter,
    readonly temperature: number,
    /** EWMA span of the weights over bars (1: none) */
    readonly smoothing = 1,
    /** each asset is routed every this many bars (staggered across assets), its weights held in between */
    readonly every = 1,
  ) {
    const c = loaded.card;
    this.shrink = c.shrink?.lambda ?? 0;
    this.note = `router ${c.name} (${c.cost.params} parameters; trained on ${c.data.source} ${c.data.timeframe} ${c.data.from.slice(0, 10)}..${c.data.to.slice(0, 10)}), temperature ${temperature}, smoothing ${smoothing} bars, every ${every} bar${every === 1 ? '' : 's'}${this.shrink > 0 ? `, shrunk ${this.shrink} towards equal weights` : ''}`;
    this.nExperts = c.spec.experts;
    this.forward = routerInference(rt.tf, loaded.model, c.spec);
    if (c.experts.length !== c.spec.experts) throw new Error(`the router at ${loaded.dir} names ${c.experts.length} experts and its net weights ${c.spec.experts}: retrain it`);
    if (!(Number.isInteger(every) && every >= 1)) throw new Error(`router cadence must be a whole number of bars >= 1, got ${every}`);
  }

  get model(): LayersModel {
    return this.loaded.model;
  }

  get chart(): ChartSpec {
    return this.loaded.card.spec.chart;
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

  /**
   * Batch mode over every bar (RoutingBatch fed every bar): equal to stepping RouterStage over the same bars (the net's
   * outputs do not depend on what else is in a batch).
   */
  async routeWith(panel: BarPanel, experts: readonly Float64Array[], features: ConvInputs | undefined): Promise<RoutingSeries> {
    const batch = new RoutingBatch(this, panel, experts);
    const A = panel.nAssets;
    const F = features?.nFeatures ?? 0;
    for (let t = 0; t < panel.nTimes; t++) {
      const sel = features === undefined ? -1 : features.at[t]!;
      await batch.push(t, features?.z.subarray(t * A * F, (t + 1) * A * F), sel < 0 ? undefined : features!.masks[sel]);
    }
    return batch.finish();
  }

  /**
   * Runs the net on n (chart, temporal) rows, the charts' pixels tiled (renderNetCharts), and writes weights/regime
   * for cells first .. first + n. The read-back is asynchronous: tfjs-backend-webgpu in Node cannot read synchronously.
   */
  async predictInto(tiledImages: Float32Array, temporal: Float32Array, n: number, first: number, weights: Float32Array, regime: Float32Array): Promise<void> {
    const { tf } = this.rt;
    const { spec } = this.loaded.card;
    const S = spec.chart.size;
    const E = this.nExperts;
    const W = N_REGIMES + E;
    const y = tf.tidy(() => this.forward(tf.tensor2d(tiledImages, [n, S * S * 3]), tf.tensor2d(temporal, [n, spec.temporal])));
    const raw = (await y.data()) as Float32Array;
    y.dispose();
    for (let i = 0; i < n; i++) {
      softmaxInto(raw, i * W, N_REGIMES, 1, regime, (first + i) * N_REGIMES);
      softmaxInto(raw, i * W + N_REGIMES, E, this.temperature, weights, (first + i) * E);
      shrinkTowardsEqual(weights, (first + i) * E, E, this.shrink);
    }
  }
}

/**
 * The router's batch path fed bar by bar: each bar's temporal row is stepped, the charts and rows of its due cells
 * join a batch, and the net runs on every PREDICT_BATCH rows (whole bars); finish() runs the hold-and-smooth
 * recursion RouterStage runs bar by bar. A backtest feeds it inside its features loop, so the net runs while that
 * loop would wait for selections; routeWith feeds it every bar at once. The batches are the same either way.
 */
export class RoutingBatch {
  private readonly state: TemporalState;
  private readonly row: Float32Array;
  private readonly raw: Float32Array;
  private readonly rawRegime: Float32Array;
  private readonly due: Uint8Array;
  private readonly barMs: number;
  // one batch's charts, temporal rows, cells and outputs, allocated once (a batch holds at most PREDICT_BATCH - 1 + A rows)
  private readonly pixels: number;
  private readonly img: Float32Array;
  private readonly temporal: Float32Array;
  private readonly cells: Int32Array;
  private readonly w: Float32Array;
  private readonly g: Float32Array;
  private rows = 0;
  /** the next bar to push */
  next = 0;

  constructor(
    readonly router: ModelRouter,
    readonly panel: BarPanel,
    /** the experts' exposure series, time-major; row t must be filled when bar t is pushed */
    readonly experts: readonly Float64Array[],
  ) {
    const { card } = router.loaded;
    const A = panel.nAssets;
    const T = panel.nTimes;
    const E = router.nExperts;
    if (experts.length !== E) throw new Error(`the router weights ${E} experts (${card.experts.join(', ')}), it was given ${experts.length}`);
    this.state = new TemporalState(A, E, card.features.length, card.temporalCost ?? 0);
    const D = this.state.dim;
    this.row = new Float32Array(A * D);
    this.raw = new Float32Array(T * A * E);
    this.rawRegime = new Float32Array(T * A * N_REGIMES);
    this.due = new Uint8Array(T * A);
    this.barMs = timeframeMs(panel.timeframe);
    this.pixels = card.spec.chart.size * card.spec.chart.size * 3;
    const cap = PREDICT_BATCH + A;
    this.img = new Float32Array(cap * this.pixels);
    this.temporal = new Float32Array(cap * D);
    this.cells = new Int32Array(cap);
    this.w = new Float32Array(cap * E);
    this.g = new Float32Array(cap * N_REGIMES);
  }

  /** Bar t (the next one), with its z-scores ([a * F + f]) and the mask of the selection in effect when the router reads features. */
  async push(t: number, z: Float32Array | undefined, mask: Float32Array | undefined): Promise<void> {
    if (t !== this.next) throw new Error(`the routing batch expects bar ${this.next}, it was given bar ${t}`);
    this.next++;
    const { panel } = this;
    const A = panel.nAssets;
    const D = this.state.dim;
    this.state.stepBar(panel, t, this.experts, z, mask, this.row, 0);
    const assets = dueAssets(this.router, panel, t, this.barMs);
    if (assets.length === 0) return;
    renderNetCharts(panel, [t], this.router.chart, assets, this.img.subarray(this.rows * this.pixels));
    for (const a of assets) {
      this.temporal.set(this.row.subarray(a * D, (a + 1) * D), this.rows * D);
      this.cells[this.rows++] = t * A + a;
      this.due[t * A + a] = 1;
    }
    if (this.rows >= PREDICT_BATCH) await this.flush();
  }

  private async flush(): Promise<void> {
    const n = this.rows;
    if (n === 0) return;
    const E = this.router.nExperts;
    const R = N_REGIMES;
    const { w, g } = this;
    await this.router.predictInto(this.img.subarray(0, n * this.pixels), this.temporal.subarray(0, n * this.state.dim), n, 0, w, g);
    for (let i = 0; i < n; i++) {
      const cell = this.cells[i]!;
      this.raw.set(w.subarray(i * E, (i + 1) * E), cell * E);
      this.rawRegime.set(g.subarray(i * R, (i + 1) * R), cell * R);
    }
    this.rows = 0;
  }

  /** Every bar pushed: the weights and regimes in effect at each bar. */
  async finish(): Promise<RoutingSeries> {
    const { panel, router } = this;
    const A = panel.nAssets;
    const T = panel.nTimes;
    const E = router.nExperts;
    const R = N_REGIMES;
    if (this.next !== T) throw new Error(`the routing batch has ${this.next} of the panel's ${T} bars`);
    await this.flush();
    const out = equalRouting(panel, router.note, router.chart, E);
    const held = new Holder(A, router.smoothing, E);
    for (let t = 0; t < T; t++) {
      held.apply(this.raw.subarray(t * A * E, (t + 1) * A * E), this.rawRegime.subarray(t * A * R, (t + 1) * A * R), this.due.subarray(t * A, (t + 1) * A), panel.present.subarray(t * A, (t + 1) * A));
      out.weights.set(held.weights, t * A * E);
      out.regime.set(held.regime, t * A * R);
    }
    return { ...out, source: 'model' };
  }
}

/** The assets routed at bar t: those with a bar, once a full chart window exists, staggered by the cadence. */
function dueAssets(router: ModelRouter, panel: BarPanel, t: number, barMs: number): number[] {
  const out: number[] = [];
  if (t < router.chart.window - 1) return out;
  const A = panel.nAssets;
  const k = Math.round(panel.ts[t]! / barMs);
  for (let a = 0; a < A; a++) if (panel.present[t * A + a] === 1 && (k + a) % router.every === 0) out.push(a);
  return out;
}

/**
 * The weights and regimes in effect: each asset's last routed decision held until its next one (equal weights and
 * a uniform regime before the first), the weights smoothed by an EWMA over bars (a missing bar keeps them).
 */
class Holder {
  readonly weights: Float32Array;
  readonly regime: Float32Array;
  private readonly heldWeights: Float32Array;
  private started = false;
  private readonly alpha: number;

  constructor(
    readonly nAssets: number,
    smoothing: number,
    private readonly E: number,
  ) {
    this.heldWeights = new Float32Array(nAssets * E).fill(1 / E);
    this.weights = new Float32Array(nAssets * E).fill(1 / E);
    this.regime = new Float32Array(nAssets * N_REGIMES).fill(1 / N_REGIMES);
    this.alpha = 2 / (smoothing + 1);
  }

  /** Bar t: raw decisions [a * E + e] and [a * R + r] where due[a] is 1. */
  apply(raw: Float32Array, rawRegime: Float32Array, due: ArrayLike<number>, present: ArrayLike<number>): void {
    const E = this.E;
    const R = N_REGIMES;
    for (let a = 0; a < this.nAssets; a++) {
      if (due[a] !== 1) continue;
      this.heldWeights.set(raw.subarray(a * E, (a + 1) * E), a * E);
      this.regime.set(rawRegime.subarray(a * R, (a + 1) * R), a * R);
    }
    const alpha = this.alpha;
    for (let a = 0; a < this.nAssets; a++) {
      for (let e = a * E; e < (a + 1) * E; e++) {
        const prev = this.weights[e]!;
        this.weights[e] = !this.started || alpha >= 1 ? this.heldWeights[e]! : present[a] !== 1 ? prev : prev + alpha * (this.heldWeights[e]! - prev);
      }
    }
    this.started = true;
  }
}

/**
 * The router bar by bar (the daemon's path, and the backtest's when it steps): the temporal vector of every asset,
 * the chart and the net for the assets due at this bar, then the same hold-and-smooth as routeWith. Buffers are
 * allocated once.
 */
export class RouterStage {
  private readonly state: TemporalState;
  private readonly temporal: Float32Array;
  private readonly holder: Holder;
  private readonly raw: Float32Array;
  private readonly rawRegime: Float32Array;
  private readonly due: Uint8Array;
  private readonly barMs: number;
  /** the due assets' rows for the net, and its outputs (allocated once) */
  private readonly rows: Float32Array;
  private readonly w: Float32Array;
  private readonly g: Float32Array;
  private readonly charts: Float32Array;

  constructor(
    readonly router: ModelRouter,
    readonly nAssets: number,
    timeframe: BarPanel['timeframe'],
  ) {
    const card = router.loaded.card;
    const E = router.nExperts;
    this.state = new TemporalState(nAssets, E, card.features.length, card.temporalCost ?? 0);
    this.temporal = new Float32Array(nAssets * this.state.dim);
    this.rows = new Float32Array(nAssets * this.state.dim);
    this.w = new Float32Array(nAssets * E);
    this.g = new Float32Array(nAssets * N_REGIMES);
    this.charts = new Float32Array(nAssets * card.spec.chart.size * card.spec.chart.size * 3);
    this.holder = new Holder(nAssets, router.smoothing, E);
    this.raw = new Float32Array(nAssets * E);
    this.rawRegime = new Float32Array(nAssets * N_REGIMES);
    this.due = new Uint8Array(nAssets);
    this.barMs = timeframeMs(timeframe);
  }

  /** The weights in effect, [a * E + e], after the latest step. */
  get weights(): Float32Array {
    return this.holder.weights;
  }

  /** The regime probabilities in effect, [a * R + r]. */
  get regime(): Float32Array {
    return this.holder.regime;
  }

  /**
   * Bar t of `panel` (the daemon's growing panel: rows <= t are the bars so far): `prevExposure` and `exposure` are
   * the experts' rows [e * A + a] at t - 1 (undefined at the first bar) and t; `z` and `mask` the bar's z-scored
   * features [a * F + f] and the selection in effect (the router's), when it reads features.
   */
  async step(panel: BarPanel, t: number, prevExposure: Float64Array | undefined, exposure: Float64Array, z: Float32Array | undefined, mask: Float32Array | undefined): Promise<void> {
    const A = this.nAssets;
    this.state.stepRow(panel.close.subarray(t * A, (t + 1) * A), panel.present.subarray(t * A, (t + 1) * A), prevExposure, exposure, z, mask, this.temporal, 0);
    const assets = dueAssets(this.router, panel, t, this.barMs);
    this.due.fill(0);
    if (assets.length > 0) {
      const D = this.state.dim;
      const { w, g } = this;
      assets.forEach((a, i) => this.rows.set(this.temporal.subarray(a * D, (a + 1) * D), i * D));
      const charts = renderNetCharts(panel, [t], this.router.chart, assets, this.charts);
      await this.router.predictInto(charts, this.rows.subarray(0, assets.length * D), assets.length, 0, w, g);
      assets.forEach((a, i) => {
        const E = this.router.nExperts;
        this.raw.set(w.subarray(i * E, (i + 1) * E), a * E);
        this.rawRegime.set(g.subarray(i * N_REGIMES, (i + 1) * N_REGIMES), a * N_REGIMES);
        this.due[a] = 1;
      });
    }
    this.holder.apply(this.raw, this.rawRegime, this.due, panel.present.subarray(t * A, (t + 1) * A));
  }
}
