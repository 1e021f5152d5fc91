/**
 * Leak checks of an evaluation: every model a fold uses was fitted on a range its card states; a fold whose test
 * bars start before that range ended plus an embargo (the longest label horizon: a label at the range's last bar
 * looked that far ahead) is not out of sample. Dates are compared whatever the symbols: markets move together, so a
 * model that saw a period has seen something of every market in it. A synthetic market's dates say nothing about a
 * real one (and the reverse): there, only a model fitted on the same synthetic market is compared.
 */
import { type BarPanel, timeframeMs } from '@arena/core';
import { ModelRouter } from '@arena/router';
import type { PipelineModels } from '../pipeline/build.ts';

/** A fitted model and the range of bars it was fitted on (from its card). */
export interface FittedRange {
  readonly model: string;
  /** the data it was fitted on (a folder, or `synthetic seed=N`) */
  readonly source: string;
  readonly from: string;
  readonly to: string;
  /** the longest label horizon of its training, in bars: the embargo after its range */
  readonly horizon: number;
}

const isSynthetic = (source: string) => source.startsWith('synthetic');

/** Whether dates of a model fitted on `fitted` can be compared with the dates of `evaluated`. */
export function comparableSources(fitted: string, evaluated: string): boolean {
  return isSynthetic(fitted) || isSynthetic(evaluated) ? fitted === evaluated : true;
}

/**
 * The fitted ranges of the committed models a pipeline loaded: the learned expert's convnet, unless a chain of nets
 * trained per fold replaces it (learnedChain.ts: each decides only after the bars it learned from), and, unless it
 * is retrained per fold, the router. (Selections and the contest's score model learn on line from past bars only.)
 */
export function loadedModelRanges(models: PipelineModels, includeRouter: boolean): FittedRange[] {
  const out: FittedRange[] = [];
  const net = models.learnedChain === undefined ? models.learned?.net.card : undefined;
  if (net) out.push({ model: `learned expert (convnet ${net.name})`, source: net.data.source, from: net.data.from, to: net.data.to, horizon: net.horizon });
  if (includeRouter && models.router instanceof ModelRouter) {
    const card = models.router.loaded.card;
    out.push({ model: `router ${card.name}`, source: card.data.source, from: card.data.from, to: card.data.to, horizon: Math.max(card.labels.horizon, card.labels.regimeHorizon) });
  }
  return out;
}

export interface FoldOverlap {
  readonly model: string;
  readonly trainedOn: { readonly from: string; readonly to: string };
  readonly fold: number;
  readonly test: { readonly from: string; readonly to: string };
}

/**
 * The (model, fold) pairs whose fitted range, plus an embargo of max(`embargoBars`, the model's label horizon)
 * bars, reaches into the fold's test bars of `panel` (loaded from `source`).
 */
export function foldOverlaps(panel: BarPanel, source: string, bounds: readonly (readonly [number, number])[], models: readonly FittedRange[], embargoBars: number): FoldOverlap[] {
  const barMs = timeframeMs(panel.timeframe);
  const out: FoldOverlap[] = [];
  bounds.forEach(([t0, t1], fold) => {
    const testFrom = panel.ts[t0]!;
    const testTo = panel.ts[t1 - 1]!;
    for (const m of models) {
      if (!comparableSources(m.source, source)) continue;
      const embargo = Math.max(embargoBars, m.horizon);
      const from = Date.parse(m.from);
      const to = Date.parse(m.to);
      if (!(Number.isFinite(from) && Number.isFinite(to))) continue;
      if (to + embargo * barMs >= testFrom && from <= testTo) {
        out.push({ model: m.model, trainedOn: { from: m.from, to: m.to }, fold, test: { from: new Date(testFrom).toISOString(), to: new Date(testTo).toISOString() } });
      }
    }
  });
  return out;
}

/** One line per overlap, for the refusal. */
export function describeOverlaps(overlaps: readonly FoldOverlap[]): string {
  return overlaps.map((o) => `${o.model} was fitted on ${o.trainedOn.from.slice(0, 10)}..${o.trainedOn.to.slice(0, 10)}, which reaches fold ${o.fold + 1}'s test bars ${o.test.from.slice(0, 10)}..${o.test.to.slice(0, 10)}`).join('; ');
}
