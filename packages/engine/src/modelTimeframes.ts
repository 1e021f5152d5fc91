/**
 * Models fitted on bars of another size than the run's. A committed model (the learned expert's convnet, the router)
 * is applied to whatever bars a run steps, but what it learned does not carry from one bar size to another: the
 * router fitted on 1h bars lost to equal weights on 5m bars, and was level once trained on them (docs/router.md,
 * "Other timeframes"). The commands say so before they run, with what to do about it.
 */
import type { Timeframe } from '@arena/core';
import { ModelRouter } from '@arena/router';
import type { PipelineModels } from './pipeline/build.ts';

/** A loaded model whose card says it was fitted on bars of another size than `timeframe`. */
export interface OtherTimeframe {
  readonly model: string;
  readonly fittedOn: string;
  /** the command that trains one on the run's bars */
  readonly train: string;
  /** how to run without it */
  readonly without: string;
}

/**
 * The committed models among `models` fitted on another timeframe: the learned expert's convnet, unless a chain of
 * nets trained on the run's own bars replaces it, the router that routes (`routing`), and the one whose row a
 * backtest shows beside the strategy (`beside`). A router retrained on the run's bars is not given.
 */
export function otherTimeframeModels(models: PipelineModels, routers: { readonly routing?: unknown; readonly beside?: unknown }, timeframe: Timeframe): OtherTimeframe[] {
  const out: OtherTimeframe[] = [];
  const net = models.learnedChain === undefined ? models.learned?.net.card : undefined;
  if (net !== undefined && net.data.timeframe !== timeframe) out.push({ model: `learned expert (convnet ${net.name})`, fittedOn: net.data.timeframe, train: 'arena train convnet', without: 'give it weight 0 (--weights without learned)' });
  // a backtest that routes shows no router row beside the strategy: one router at most
  const { routing, beside } = routers;
  const router = routing instanceof ModelRouter ? routing : beside instanceof ModelRouter ? beside : undefined;
  const card = router?.loaded.card;
  if (card !== undefined && card.data.timeframe !== timeframe) {
    const routes = router === routing;
    out.push({
      model: `router ${card.name}${routes ? '' : ' (its row beside the strategy)'}`,
      fittedOn: card.data.timeframe,
      train: 'arena train router',
      without: routes ? 'route with equal weights (--router equal)' : 'read that row as untested here',
    });
  }
  return out;
}

/** One line per model: what was fitted where, and what to do. */
export function otherTimeframeWarning(m: OtherTimeframe, timeframe: Timeframe): string {
  return `${m.model} was fitted on ${m.fittedOn} bars and this run steps ${timeframe} bars; what a model learned on one bar size is not validated on another (docs/router.md, "Other timeframes"): train one on these bars (${m.train} --timeframe ${timeframe}) or ${m.without}`;
}
