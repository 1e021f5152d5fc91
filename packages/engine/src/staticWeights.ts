/** The configured static expert weights (experts.weights), normalised, in EXPERT_NAMES order. */
import { type ArenaConfig, EXPERT_NAMES } from '@arena/core';

export function expertWeights(config: ArenaConfig): Float64Array {
  const w = new Float64Array(EXPERT_NAMES.length);
  let sum = 0;
  EXPERT_NAMES.forEach((name, i) => {
    const v = config.experts.weights[name] ?? 0;
    w[i] = v;
    sum += v;
  });
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / sum;
  return w;
}

