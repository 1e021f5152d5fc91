/**
 * The dynamic feature selector bar by bar. It decides when to re-select exactly as DynamicFeatureSelector.step does
 * (the first full window, every `reselectEvery` bars, a drift test every `drift.every` bars); the selection itself
 * runs on a copy of the window through a SelectionRunner (in this thread, or in a worker while the stream goes on)
 * and takes over `lag` bars after the bar that decided it. The bar of the decision and of the takeover depend only
 * on the bars, so a backtest, a daemon and a daemon resumed from its ledger switch selections at the same bar.
 */
import type { Selection, SelectionReason } from '../selection.ts';
import { DynamicFeatureSelector, type DriftReference, type WindowScores, scoringKey } from '../selector.ts';
import { type SelectorConfig, type SelectorConfigInput, selectorConfig } from '../selectorConfig.ts';
import { type FeatureWindow, SliceBuffer, type WindowSlice } from './featureWindow.ts';

export interface SelectionRequest {
  /** the bar that decided the selection (its last bar of data) */
  readonly t: number;
  readonly reason: SelectionReason;
  readonly detail: string;
  readonly slice: WindowSlice;
  readonly config: SelectorConfig;
}

export interface SelectionOutcome {
  /** the selection, its `t` the deciding bar */
  readonly selection: Selection;
  /** what later bars are tested against for drift */
  readonly reference: readonly DriftReference[];
}

/** Runs a selection on a window copy: here (inlineSelection) or in a worker (selectionWorker). */
export interface SelectionRunner {
  run(request: SelectionRequest): Promise<SelectionOutcome> | SelectionOutcome;
  /** true: it reads the request's columns from another thread (they are put on shared memory) */
  readonly sharedMemory?: boolean;
}

/**
 * The latest windows' statistics in this thread, by slice key and scoringKey: the selectors of one features stage
 * that share window, horizon and maxSamples (the learned expert's and a data-team variant, by default) decide at the
 * same bars on schedule, and the statistics are most of a selection's work.
 */
const recentScores: { key: string; scores: WindowScores }[] = [];
const RECENT_SCORES = 4;

/** A selection over the request's window copy (what a worker runs too). */
export function selectOnSlice(request: SelectionRequest): SelectionOutcome {
  const { slice } = request;
  const selector = new DynamicFeatureSelector(slice.set, slice.panel, request.config);
  const t = request.t - slice.base;
  let scores: WindowScores | undefined;
  if (slice.key !== undefined) {
    const key = `${slice.key}|${scoringKey(selector.config)}`;
    scores = recentScores.find((r) => r.key === key)?.scores;
    if (scores === undefined) {
      scores = selector.score(t);
      recentScores.unshift({ key, scores });
      recentScores.length = Math.min(recentScores.length, RECENT_SCORES);
    }
  }
  const selection = selector.select(t, request.reason, request.detail, scores);
  return { selection: { ...selection, t: request.t }, reference: selector.driftReference };
}

export const inlineSelection: SelectionRunner = { run: selectOnSlice };

/** Bars of history a selector needs in the window: its scoring window plus the horizon, or its drift window. */
export function selectorSpan(config: SelectorConfig): number {
  return Math.max(config.window + config.horizon, config.drift.recent) + 1;
}

interface Pending {
  readonly takeover: number;
  readonly outcome: Promise<SelectionOutcome> | SelectionOutcome;
}

export class SelectorStream {
  readonly config: SelectorConfig;
  /** the selections that took over, in order, each with the bar it took over at */
  readonly history: (Selection & { readonly from: number })[] = [];
  private pending: Pending | undefined;
  private decidedAt = -1;
  private reference: readonly DriftReference[] = [];
  /** what a selection's window copy and a drift test's are written into (reused: one request is pending at most) */
  private readonly selectionBuffer: SliceBuffer;
  private readonly driftBuffer = new SliceBuffer();

  constructor(
    private readonly window: FeatureWindow,
    config: SelectorConfigInput,
    private readonly runner: SelectionRunner = inlineSelection,
    /** bars between the deciding bar and the takeover (at least 1: the selection runs between bars) */
    readonly lag = 1,
  ) {
    this.config = selectorConfig(config);
    this.selectionBuffer = new SliceBuffer(runner.sharedMemory === true);
    if (!(Number.isInteger(lag) && lag >= 1)) throw new Error(`selector lag must be a whole number of bars >= 1, got ${lag}`);
    if (window.capacity < selectorSpan(this.config)) throw new Error(`the feature window keeps ${window.capacity} bars; the selector needs ${selectorSpan(this.config)}`);
  }

  /** The selection in effect at the latest bar (undefined before the first takeover). */
  get current(): (Selection & { readonly from: number }) | undefined {
    return this.history[this.history.length - 1];
  }

  /** The outcome of the selection that takes over at bar t, if one does (a promise while its runner works). */
  pendingOutcome(t: number): Promise<SelectionOutcome> | SelectionOutcome | undefined {
    return this.pending !== undefined && this.pending.takeover <= t ? this.pending.outcome : undefined;
  }

  /** A selection decided and not taken over yet (for a daemon to say what is running beside the loop). */
  get running(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Bar t is in the window: a selection due at t takes over (awaited, if its runner has not finished), then bar t
   * may decide the next one. Returns the selection that took over at t, if one did.
   */
  async step(t: number): Promise<(Selection & { readonly from: number }) | undefined> {
    const due = this.pending !== undefined && this.pending.takeover <= t ? await this.pending.outcome : undefined;
    return this.advance(t, due);
  }

  /** step for a runner that answers at once (inlineSelection): the same bars, the same selections, no await. */
  stepSync(t: number): (Selection & { readonly from: number }) | undefined {
    const outcome = this.pending !== undefined && this.pending.takeover <= t ? this.pending.outcome : undefined;
    if (outcome instanceof Promise) throw new Error('stepSync needs a runner that answers at once (inlineSelection)');
    return this.advance(t, outcome);
  }

  private advance(t: number, due: SelectionOutcome | undefined): (Selection & { readonly from: number }) | undefined {
    let took: (Selection & { readonly from: number }) | undefined;
    if (due !== undefined) {
      took = { ...due.selection, from: t };
      this.history.push(took);
      this.reference = due.reference;
      this.pending = undefined;
    }
    const decision = this.decide(t);
    if (decision !== undefined) {
      const c = this.config;
      const slice = this.window.slice(t - c.horizon - c.window + 1, t, undefined, this.selectionBuffer);
      this.decidedAt = t;
      this.pending = { takeover: t + this.lag, outcome: this.runner.run({ t, reason: decision.reason, detail: decision.detail, slice, config: c }) };
    }
    return took;
  }

  private decide(t: number): { reason: SelectionReason; detail: string } | undefined {
    const c = this.config;
    if (t < c.window + c.horizon - 1 || this.pending !== undefined) return undefined;
    if (this.decidedAt < 0) return { reason: 'initial', detail: `first full window of ${c.window} bars` };
    const since = t - this.decidedAt;
    if (since >= c.reselectEvery) return { reason: 'scheduled', detail: `every ${c.reselectEvery} bars` };
    if (since >= c.drift.recent && since % c.drift.every === 0 && this.reference.length > 0) {
      const slice = this.window.slice(t - c.drift.recent + 1, t, new Set(this.reference.map((r) => r.feature)), this.driftBuffer);
      const judge = new DynamicFeatureSelector(slice.set, slice.panel, c);
      judge.driftReference = this.reference;
      const d = judge.driftStatistic(t - slice.base);
      if (d.value > c.drift.threshold) {
        const what = c.drift.test === 'psi' ? 'PSI' : 'KS';
        return { reason: 'drift', detail: `drift: median ${what} ${d.value.toFixed(3)} > ${c.drift.threshold} (largest ${d.max.toFixed(3)} on ${d.feature})` };
      }
    }
    return undefined;
  }
}
