/**
 * The fifth expert, "learned": the LiteConvNet's signal over the dynamically selected features. Its exposure is
 * clamp(signal / scale, -1, 1) (the signal is in units of its validation spread) and its confidence
 * min(1, |signal| / scale). As an Expert over a panel, the first advance steps LearnedStream over every row (the
 * stream a daemon steps bar by bar), so a backtest and the daemon compute the same exposures.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArenaConfig, BarPanel } from '@arena/core';
import { type ConvInputs, type LoadedConvNet, OnlineFeatures, type TakenSelection, loadConvNet, panelBar } from '@arena/features';
import { LearnedStream } from './learnedStream.ts';
import { type Runtime, initRuntime } from '@arena/kernels';
import type { Expert, ExpertContext } from './expert.ts';

/** An expert that holds 0 and says why (a model that is missing or failed to load). */
export class FlatExpert implements Expert {
  readonly params = {};
  readonly warmup = 0;
  constructor(
    readonly name: string,
    readonly reason: string,
  ) {}
  reset(_ctx: ExpertContext): void {}
  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    const A = panel.nAssets;
    for (let t = t0; t < t1; t++) {
      exposure[outStart + (t - t0) * A + a] = 0;
      confidence[outStart + (t - t0) * A + a] = 0;
    }
  }
}

interface Computed {
  readonly panel: BarPanel;
  readonly exposure: Float64Array;
  readonly confidence: Float64Array;
}

export class LearnedExpert implements Expert {
  readonly name = 'learned';
  readonly params: Readonly<Record<string, number>>;
  readonly warmup: number;
  private computed: Computed | undefined;
  /** selections made over the last panel (for reports and the audit trail) */
  lastSelections: readonly TakenSelection[] = [];

  constructor(
    readonly net: LoadedConvNet,
    readonly scale: number,
    private readonly funding?: Float64Array,
  ) {
    const c = net.card;
    this.params = { window: c.spec.window, horizon: c.horizon, selectorWindow: c.selector.window, scale };
    this.warmup = c.selector.window + c.horizon;
  }

  reset(_ctx: ExpertContext): void {
    this.computed = undefined;
  }

  /** The data team's choice: the same z-scored features masked by another selection run over the panel it covers. */
  private override: { panel: BarPanel; inputs: ConvInputs } | undefined;

  /** Reads `inputs` (e.g. the data team's merged selection) instead of its own selector's when computing `panel`. */
  useInputs(panel: BarPanel, inputs: ConvInputs | undefined): void {
    this.override = inputs === undefined ? undefined : { panel, inputs };
    this.computed = undefined;
  }

  /** Features, selections and the net over every bar of the panel: the stream a daemon steps, over every row. */
  private compute(panel: BarPanel): Computed {
    const card = this.net.card;
    const A = panel.nAssets;
    const T = panel.nTimes;
    const features = new OnlineFeatures(panel.symbols, panel.timeframe, { hasFunding: this.funding !== undefined, keep: card.spec.window, selectors: { learned: card.selector } });
    const stream = new LearnedStream(this.net, features, this.scale);
    const override = this.override?.panel === panel ? this.override.inputs : undefined;
    const exposure = new Float64Array(T * A);
    const confidence = new Float64Array(T * A);
    const input = { panel, ...(this.funding ? { funding: this.funding } : {}) };
    for (let t = 0; t < T; t++) {
      features.pushSync(panelBar(input, t));
      const s = override?.at[t] ?? -1;
      const mask = override === undefined ? features.mask('learned') : s < 0 ? undefined : override.masks[s];
      stream.update(mask, panel.present.subarray(t * A, (t + 1) * A));
      exposure.set(stream.exposure, t * A);
      confidence.set(stream.confidence, t * A);
    }
    this.lastSelections = features.selector('learned').history;
    return { panel, exposure, confidence };
  }

  advance(panel: BarPanel, a: number, t0: number, t1: number, exposure: Float64Array, confidence: Float64Array, outStart: number): void {
    if (this.computed?.panel !== panel) this.computed = this.compute(panel);
    const A = panel.nAssets;
    const c = this.computed;
    for (let t = t0; t < t1; t++) {
      exposure[outStart + (t - t0) * A + a] = c.exposure[t * A + a]!;
      confidence[outStart + (t - t0) * A + a] = c.confidence[t * A + a]!;
    }
  }
}

/** The checkout's root (where models/ is committed), from this file's place in packages/experts/src. */
const CHECKOUT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** A configured model folder: as given when it exists (absolute or from the working directory), else in the checkout. */
export function resolveModelDir(dir: string): string {
  if (isAbsolute(dir) || existsSync(dir)) return resolve(dir);
  return join(CHECKOUT, dir);
}

/**
 * The learned expert with its model loaded on a tensor runtime (wasm unless a faster one is present), or a
 * FlatExpert with the reason when the model is missing or does not load. Never throws.
 */
export async function createLearnedExpert(
  config: ArenaConfig['experts']['learned'],
  opts: { runtime?: Runtime; funding?: Float64Array; log?: (s: string) => void } = {},
): Promise<Expert> {
  const log = opts.log ?? (() => undefined);
  const dir = resolveModelDir(config.model);
  try {
    const rt = opts.runtime ?? (await initRuntime({ log }));
    const net = await loadConvNet(rt.tf, dir);
    log(`learned expert: ${net.card.name} from ${dir} (${net.card.cost.nonzeroParams} non-zero parameters, trained on ${net.card.data.source} ${net.card.data.timeframe})`);
    return new LearnedExpert(net, config.scale, opts.funding);
  } catch (e) {
    const reason = `learned expert unavailable, holding 0: ${(e as Error).message.split('\n')[0]}`;
    log(reason);
    return new FlatExpert('learned', reason);
  }
}
