/**
 * The models a config asks for, loaded once for every mode: the tensor runtime (only when a model needs it), the
 * learned expert's LiteConvNet (absent, or missing: it holds 0, with the reason logged) and the router (static,
 * equal, the model router, or a VLM with the model router as its fallback).
 */
import { type ArenaConfig, expertNames } from '@arena/core';
import { LearnedExpert, createLearnedExpert, loadUserExperts } from '@arena/experts';
import { type Runtime, initRuntime } from '@arena/kernels';
import { ModelRouter, createModelRouter, createRouter } from '@arena/router';
import type { PipelineModels } from './pipeline/build.ts';

export interface LoadedModels extends PipelineModels {
  /** the tensor backend the models run on, or none */
  readonly backend: string;
  readonly runtime?: Runtime;
  /** the trained router, loaded beside an equal or static strategy so that a backtest shows its row (compareRouter) */
  readonly comparisonRouter?: ModelRouter;
}

export interface LoadModelsOptions {
  readonly funding?: Float64Array;
  /** also load the trained router when the strategy does not route with it (a backtest's `router` row) */
  readonly compareRouter?: boolean;
}

function sameExperts(router: ModelRouter, config: ArenaConfig, log: (s: string) => void): boolean {
  const names = expertNames(config);
  if (router.loaded.card.experts.join(',') === names.join(',')) return true;
  log(`router (its own row beside the strategy): left out, it was trained on [${router.loaded.card.experts.join(', ')}] and this config runs [${names.join(', ')}]`);
  return false;
}

export async function loadModels(config: ArenaConfig, log: (s: string) => void, funding?: Float64Array, options: LoadModelsOptions = {}): Promise<LoadedModels> {
  // the user's experts first: a broken module stops the run before anything loads or opens
  const user = await loadUserExperts(config.experts.custom, { probe: config.experts.userTimeoutMs });
  const wantsLearned = (config.experts.weights.learned ?? 0) > 0;
  const routes = config.router.mode === 'model' || config.router.mode === 'vlm';
  const compare = options.compareRouter === true && !routes;
  const needsRuntime = wantsLearned || routes || compare;
  const runtime = needsRuntime ? await initRuntime({ log }) : undefined;
  const learned = wantsLearned ? await createLearnedExpert(config.experts.learned, { log, ...(runtime ? { runtime } : {}), ...(funding ? { funding } : {}) }) : undefined;
  const router = await createRouter(config, { log, ...(runtime ? { runtime } : {}) });
  const comparison = compare ? await createModelRouter(config.router, { log: (s) => log(s.replace(/^router: /, 'router (its own row beside the strategy): ')), ...(runtime ? { runtime } : {}) }) : undefined;
  return {
    backend: runtime?.info.backend ?? 'none',
    ...(runtime ? { runtime } : {}),
    ...(learned instanceof LearnedExpert ? { learned } : {}),
    router,
    ...(user.length > 0 ? { user } : {}),
    // the trained router's own row only where it weights this config's experts
    ...(comparison instanceof ModelRouter && sameExperts(comparison, config, log) ? { comparisonRouter: comparison } : {}),
  };
}
