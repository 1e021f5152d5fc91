/** The configured static expert weights, normalised: experts.weights in EXPERT_NAMES order, then experts.custom[].weight. */
import { type ArenaConfig, EXPERT_NAMES } from '@arena/core';

export function expertWeights(config: ArenaConfig): Float64Array {
  const raw = [...EXPERT_NAMES.map((name) => config.experts.weights[name] ?? 0), ...config.experts.custom.map((c) => c.weight)];
  const sum = raw.reduce((a, b) => a + b, 0);
  return Float64Array.from(raw, (v) => v / sum);
}
