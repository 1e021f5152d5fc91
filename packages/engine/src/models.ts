/**
 * The models a config asks for, loaded once for every mode: the tensor runtime (only when a model needs it), the
 * learned expert's LiteConvNet (absent, or missing: it holds 0, with the reason logged) and the router (static,
 * equal, the model router, or a VLM with the model router as its fallback).
 */
import type { ArenaConfig } from '@arena/core';
import { LearnedExpert, createLearnedExpert } from '@arena/experts';
import { type Runtime, initRuntime } from '@arena/kernels';
import { createRouter } from '@arena/router';
import type { PipelineModels } from './pipeline/build.ts';

export interface LoadedModels extends PipelineModels {
  /** the tensor backend the models run on, or none */
  readonly backend: string;
  readonly runtime?: Runtime;
}

export async function loadModels(config: ArenaConfig, log: (s: string) => void, funding?: Float64Array): Promise<LoadedModels> {
  const wantsLearned = (config.experts.weights.learned ?? 0) > 0;
  const needsRuntime = wantsLearned || config.router.mode === 'model' || config.router.mode === 'vlm';
  const runtime = needsRuntime ? await initRuntime({ log }) : undefined;
  const learned = wantsLearned ? await createLearnedExpert(config.experts.learned, { log, ...(runtime ? { runtime } : {}), ...(funding ? { funding } : {}) }) : undefined;
  const router = await createRouter(config, { log, ...(runtime ? { runtime } : {}) });
  return { backend: runtime?.info.backend ?? 'none', ...(runtime ? { runtime } : {}), ...(learned instanceof LearnedExpert ? { learned } : {}), router };
}
