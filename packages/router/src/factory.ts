/** The configured router, ready to route: never throws; what it falls back to, and why, is in its note (and logged). */
import { type ArenaConfig, type BarPanel, EXPERT_NAMES } from '@arena/core';
import { resolveModelDir } from '@arena/experts';
import { type Runtime, initRuntime } from '@arena/kernels';
import { N_EXPERTS } from './decision.ts';
import { loadRouter } from './io.ts';
import { EqualRouter, ModelRouter, type Router, type RoutingSeries, equalRouting } from './router.ts';
import { DEFAULT_CHART } from './spec.ts';
import { VlmRouter } from './vlmRouter.ts';
import { VlmClient, vlmConfigFromEnv } from './vlm/index.ts';

/** The configured static weights (experts.weights), normalised, everywhere. */
export class StaticRouter implements Router {
  readonly source = 'static' as const;
  readonly note: string;
  private readonly w: Float32Array;
  constructor(weights: ArenaConfig['experts']['weights']) {
    const raw = EXPERT_NAMES.map((n) => weights[n] ?? 0);
    const sum = raw.reduce((a, b) => a + b, 0);
    this.w = Float32Array.from(raw, (v) => v / sum);
    this.note = `static weights ${EXPERT_NAMES.map((n, i) => `${n}=${this.w[i]!.toFixed(2)}`).join(' ')}`;
  }
  async route(panel: BarPanel): Promise<RoutingSeries> {
    return this.routeSync(panel);
  }
  routeSync(panel: BarPanel): RoutingSeries {
    const out = equalRouting(panel, this.note);
    for (let c = 0; c < panel.nTimes * panel.nAssets; c++) out.weights.set(this.w, c * N_EXPERTS);
    return { ...out, source: 'static' };
  }
}

export interface CreateRouterOptions {
  readonly runtime?: Runtime;
  readonly log?: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The local model router, or equal weights with the reason when it is missing or fails to load. */
export async function createModelRouter(config: ArenaConfig['router'], opts: CreateRouterOptions = {}): Promise<ModelRouter | EqualRouter> {
  const log = opts.log ?? (() => undefined);
  const dir = resolveModelDir(config.model);
  try {
    const rt = opts.runtime ?? (await initRuntime({ log }));
    const router = new ModelRouter(rt, await loadRouter(rt.tf, dir), config.temperature, config.smoothing, config.every);
    log(`router: ${router.note}`);
    return router;
  } catch (e) {
    const reason = `router model unavailable, equal weights: ${(e as Error).message.split('\n')[0]}`;
    log(reason);
    return new EqualRouter(reason);
  }
}

export async function createRouter(config: ArenaConfig, opts: CreateRouterOptions = {}): Promise<Router> {
  const log = opts.log ?? (() => undefined);
  const rc = config.router;
  switch (rc.mode) {
    case 'static':
      return new StaticRouter(config.experts.weights);
    case 'equal':
      return new EqualRouter('equal weights (router.mode = equal)');
    case 'model':
      return createModelRouter(rc, opts);
    case 'vlm': {
      const local = await createModelRouter(rc, opts);
      let vlm;
      try {
        vlm = vlmConfigFromEnv(opts.env ?? process.env);
      } catch (e) {
        log(`router: VLM not used (${(e as Error).message}); local router instead`);
        return local;
      }
      if (vlm === undefined) {
        log('router: router.mode is vlm but ARENA_VLM_URL is not set; local router instead');
        return local;
      }
      const chart = local instanceof ModelRouter ? local.loaded.card.spec.chart : DEFAULT_CHART;
      const router = new VlmRouter(new VlmClient(vlm), local, chart, rc.vlm.every, rc.vlm.concurrency, rc.vlm.anonymize);
      log(`router: ${router.note}`);
      return router;
    }
  }
}
