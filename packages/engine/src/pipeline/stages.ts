/**
 * The pipeline's model stages, each with one row per bar. Experts: the rule experts stepped per asset (their
 * `advance`), the learned expert stepped by LearnedStream over the shared features stage, or both read from series
 * a backtest precomputed over the whole panel (ExpertSeries: the same code over every row). Weights: the configured
 * static or equal weights, the router stepped bar by bar (RouterStage), or a RoutingSeries precomputed in batch
 * (ModelRouter.routeWith, held equal to stepping by the router tests).
 */
import { type ArenaConfig, type BarPanel, EXPERT_NAMES, REGIMES } from '@arena/core';
import { type Expert, type ExpertContext, type ExpertFaultRecord, type ExpertSeries, LearnedStream, type UserExpert, UserExpertsStage, createExperts } from '@arena/experts';
import type { OnlineFeatures } from '@arena/features';
import type { RouterStage, RoutingSeries } from '@arena/router';

const B = EXPERT_NAMES.length;
const R = REGIMES.length;

/** Every expert's exposure at a bar, [e * nAssets + a]: the built-in ones in EXPERT_NAMES order, then the user's. */
export interface ExpertsStage {
  readonly exposure: Float64Array;
  /**
   * bar t of `panel` (its rows <= t are the bars so far); the features stage has bar t already. A promise when a
   * user expert's thread is waited for without blocking (SteppedExperts in a daemon)
   */
  step(panel: BarPanel, t: number): void | Promise<void>;
  /** user experts disabled at the latest step, with why */
  readonly faults: readonly ExpertFaultRecord[] | undefined;
}

/** The rule experts stream per asset; the learned one from LearnedStream (absent: it holds 0); then the user's. */
export class SteppedExperts implements ExpertsStage {
  readonly exposure: Float64Array;
  faults: readonly ExpertFaultRecord[] | undefined;
  private readonly rules: { e: number; expert: Expert; exposure: Float64Array; confidence: Float64Array }[];
  private readonly learnedIndex = EXPERT_NAMES.indexOf('learned');
  private readonly user: UserExpertsStage | undefined;

  constructor(
    config: ArenaConfig,
    ctx: ExpertContext,
    private readonly learned: { stream: LearnedStream; mask: () => Float32Array | undefined } | undefined,
    user: readonly UserExpert[] = [],
  ) {
    const A = ctx.nAssets;
    this.user = user.length > 0 ? new UserExpertsStage(user, ctx, { timeoutMs: config.experts.userTimeoutMs }) : undefined;
    this.exposure = new Float64Array((B + user.length) * A);
    this.rules = createExperts(config.experts)
      .map((expert, e) => ({ e, expert, exposure: new Float64Array(A), confidence: new Float64Array(A) }))
      .filter((r) => r.e !== this.learnedIndex);
    for (const r of this.rules) r.expert.reset(ctx);
  }

  step(panel: BarPanel, t: number): void | Promise<void> {
    const A = panel.nAssets;
    for (const r of this.rules) {
      for (let a = 0; a < A; a++) r.expert.advance(panel, a, t, t + 1, r.exposure, r.confidence, 0);
      this.exposure.set(r.exposure, r.e * A);
    }
    if (this.learned !== undefined) {
      this.learned.stream.update(this.learned.mask(), panel.present.subarray(t * A, (t + 1) * A));
      this.exposure.set(this.learned.stream.exposure, this.learnedIndex * A);
    }
    if (this.user === undefined) return;
    const faults = this.user.stepLive(panel, t);
    if (faults instanceof Promise) return faults.then((f) => this.userDone(f));
    this.userDone(faults);
  }

  /** The user experts' row of the bar is in: take it and their faults. */
  private userDone(faults: ExpertFaultRecord[] | undefined): void {
    this.faults = faults;
    // the user experts' rows are the last ones
    this.exposure.set(this.user!.exposure, this.exposure.length - this.user!.exposure.length);
  }
}

/** Rows of series computed over the whole panel beforehand (a backtest's batch path). */
export class PrecomputedExperts implements ExpertsStage {
  readonly exposure: Float64Array;
  faults: readonly ExpertFaultRecord[] | undefined;

  constructor(
    private readonly series: readonly ExpertSeries[],
    nAssets: number,
    /** the user experts' faults over the precomputation, in bar order */
    private readonly allFaults: readonly ExpertFaultRecord[] = [],
  ) {
    if (series.length < B) throw new Error(`${series.length} expert series, expected at least ${B} (${EXPERT_NAMES.join(', ')})`);
    this.exposure = new Float64Array(series.length * nAssets);
  }

  step(panel: BarPanel, t: number): void {
    const A = panel.nAssets;
    for (let e = 0; e < this.series.length; e++) this.exposure.set(this.series[e]!.exposure.subarray(t * A, (t + 1) * A), e * A);
    this.faults = undefined;
    if (this.allFaults.length === 0) return;
    while (this.nextFault < this.allFaults.length && this.allFaults[this.nextFault]!.t < t) this.nextFault++;
    const from = this.nextFault;
    while (this.nextFault < this.allFaults.length && this.allFaults[this.nextFault]!.t === t) this.nextFault++;
    if (this.nextFault > from) this.faults = this.allFaults.slice(from, this.nextFault);
  }

  private nextFault = 0;
}

/** The experts' weights at a bar, [a * E + e] (float32, as a RoutingSeries holds them), and the regime when a router decides. */
export interface WeightsStage {
  readonly source: 'model' | 'vlm' | 'static' | 'equal';
  readonly weights: Float32Array;
  /** [a * R + r]; undefined without a regime (static, equal) */
  readonly regime: Float32Array | undefined;
  /** bar t; exposure: the experts' row at t, prevExposure at t - 1 (undefined at the first bar) */
  step(panel: BarPanel, t: number, prevExposure: Float64Array | undefined, exposure: Float64Array): Promise<void> | void;
}

/** The same weights for every asset and bar. */
export class FixedWeights implements WeightsStage {
  readonly weights: Float32Array;
  readonly regime = undefined;

  constructor(
    readonly source: 'static' | 'equal',
    perExpert: Float64Array,
    nAssets: number,
  ) {
    const E = perExpert.length;
    this.weights = new Float32Array(nAssets * E);
    for (let a = 0; a < nAssets; a++) for (let e = 0; e < E; e++) this.weights[a * E + e] = perExpert[e]!;
  }

  step(): void {}
}

/** The router bar by bar, reading the shared features stage's z-scores under the router's selection. */
export class SteppedRouter implements WeightsStage {
  readonly source = 'model' as const;

  constructor(
    private readonly stage: RouterStage,
    private readonly features: { online: OnlineFeatures; mask: () => Float32Array | undefined } | undefined,
  ) {}

  get weights(): Float32Array {
    return this.stage.weights;
  }

  get regime(): Float32Array {
    return this.stage.regime;
  }

  async step(panel: BarPanel, t: number, prevExposure: Float64Array | undefined, exposure: Float64Array): Promise<void> {
    const f = this.features;
    await this.stage.step(panel, t, prevExposure, exposure, f === undefined ? undefined : f.online.z.row(t), f?.mask());
  }
}

/** Rows of a RoutingSeries computed over the whole panel beforehand. */
export class PrecomputedWeights implements WeightsStage {
  readonly source: WeightsStage['source'];
  readonly weights: Float32Array;
  readonly regime: Float32Array | undefined;

  private readonly E: number;

  constructor(
    private readonly routing: RoutingSeries,
    nAssets: number,
    nExperts: number,
  ) {
    this.source = routing.source;
    this.E = nExperts;
    if (routing.weights.length !== routing.nTimes * nAssets * nExperts) throw new Error(`the routing weights ${routing.weights.length / Math.max(1, routing.nTimes * nAssets)} experts, the pipeline has ${nExperts}`);
    this.weights = new Float32Array(nAssets * nExperts);
    this.regime = routing.source === 'static' || routing.source === 'equal' ? undefined : new Float32Array(nAssets * R);
  }

  step(panel: BarPanel, t: number): void {
    const A = panel.nAssets;
    const E = this.E;
    this.weights.set(this.routing.weights.subarray(t * A * E, (t + 1) * A * E));
    this.regime?.set(this.routing.regime.subarray(t * A * R, (t + 1) * A * R));
  }
}
