/** The configured router, ready to route: never throws; what it falls back to, and why, is in its note (and logged). */
import { type ArenaConfig, type BarPanel, ERR, EXPERT_NAMES, arenaError, expertNames } from '@arena/core';
import { resolveModelDir } from '@arena/experts';
import { type Runtime, initRuntime } from '@arena/kernels';
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
  /** the built-in experts' weights, then the user's experts' (experts.custom[].weight) */
  constructor(weights: ArenaConfig['experts']['weights'], custom: readonly { readonly name: string; readonly weight: number }[] = []) {
    const names = [...EXPERT_NAMES, ...custom.map((c) => c.name)];
    const raw = [...EXPERT_NAMES.map((n) => weights[n] ?? 0), ...custom.map((c) => c.weight)];
    const sum = raw.reduce((a, b) => a + b, 0);
    this.w = Float32Array.from(raw, (v) => v / sum);
    this.note = `static weights ${names.map((n, i) => `${n}=${this.w[i]!.toFixed(2)}`).join(' ')}`;
  }
  async route(panel: BarPanel): Promise<RoutingSeries> {
    return this.routeSync(panel);
  }
  routeSync(panel: BarPanel): RoutingSeries {
    const E = this.w.length;
    const out = equalRouting(panel, this.note, DEFAULT_CHART, E);
    for (let c = 0; c < panel.nTimes * panel.nAssets; c++) out.weights.set(this.w, c * E);
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

/** A trained router weights the experts it was trained on (its card lists them), in that order, and no other set. */
export function checkExpertSet<R extends ModelRouter | EqualRouter>(router: R, names: readonly string[]): R {
  if (!(router instanceof ModelRouter)) return router;
  const trained = router.loaded.card.experts;
  if (trained.join(',') === names.join(',')) return router;
  throw arenaError(
    ERR.EXPERT_SET,
    `the router at ${router.loaded.dir} was trained on the experts [${trained.join(', ')}] and this config runs [${names.join(', ')}]: train one on this set (arena train router --config FILE --name NAME, then router.model models/router/NAME) or run with --router equal or --router static`,
  );
}

export async function createRouter(config: ArenaConfig, opts: CreateRouterOptions = {}): Promise<Router> {
  const log = opts.log ?? (() => undefined);
  const rc = config.router;
  if (config.experts.custom.length > 0 && rc.mode === 'vlm') {
    // the VLM's prompt and answer schema name the built-in experts
    throw arenaError(ERR.EXPERT_SET, `router.mode vlm weights the ${EXPERT_NAMES.length} built-in experts (${EXPERT_NAMES.join(', ')}), and this config adds ${config.experts.custom.map((c) => c.name).join(', ')}: run with --router model (a router trained on this set), equal or static`);
  }
  switch (rc.mode) {
    case 'static':
      return new StaticRouter(config.experts.weights, config.experts.custom);
    case 'equal':
      return new EqualRouter('equal weights (router.mode = equal)');
    case 'model':
      return checkExpertSet(await createModelRouter(rc, opts), expertNames(config));
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
