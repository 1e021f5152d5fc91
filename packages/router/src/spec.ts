/** The router's shape: the chart it looks at, the temporal features it reads, its layer sizes. */
import { N_EXPERTS, N_REGIMES } from './decision.ts';

export interface ChartSpec {
  /** bars per chart (the last `window` bars up to the decision bar) */
  readonly window: number;
  /** the image is size x size x 3 */
  readonly size: number;
  /** bars of the moving average drawn over the candles */
  readonly maWindow: number;
  /** bottom share of the image for volume bars */
  readonly volumeFraction: number;
}

export interface RouterSpec {
  readonly chart: ChartSpec;
  /** length of the temporal feature vector (see temporal.ts) */
  readonly temporal: number;
  /** channels after each patchify stage of the image branch (patches 4, 2, 2) */
  readonly imageChannels: readonly [number, number, number];
  /** image embedding, temporal embedding and fused width */
  readonly imageEmbed: number;
  readonly temporalEmbed: number;
  readonly fused: number;
  readonly regimes: number;
  readonly experts: number;
}

export const DEFAULT_CHART: ChartSpec = { window: 64, size: 64, maWindow: 20, volumeFraction: 0.2 };

/** experts: how many the net weights (the built-in ones, then any user experts it is trained with) */
export function defaultSpec(temporal: number, experts: number = N_EXPERTS): RouterSpec {
  return {
    chart: DEFAULT_CHART,
    temporal,
    imageChannels: [12, 16, 16],
    imageEmbed: 24,
    temporalEmbed: 32,
    fused: 32,
    regimes: N_REGIMES,
    experts,
  };
}

/** Patch sizes of the three image stages: 64 -> 16 -> 8 -> 4 cells per side. */
export const PATCHES = [4, 2, 2] as const;

export function checkSpec(spec: RouterSpec): void {
  let side = spec.chart.size;
  for (const p of PATCHES) {
    if (side % p !== 0) throw new Error(`router: chart size ${spec.chart.size} must be divisible by ${PATCHES.join(' x ')} (${PATCHES.reduce((a, b) => a * b, 1)})`);
    side /= p;
  }
  if (spec.regimes !== N_REGIMES) throw new Error(`router: the model has ${spec.regimes} regimes, Arena has ${N_REGIMES}`);
  if (!(Number.isInteger(spec.experts) && spec.experts >= N_EXPERTS)) throw new Error(`router: the model weights ${spec.experts} experts, at least the ${N_EXPERTS} built-in ones are needed`);
}
