/** What a router decides for one asset at one bar: regime probabilities and expert weights, and where they came from. */
import { EXPERT_NAMES, REGIMES } from '@arena/core';

export const N_REGIMES = REGIMES.length;
export const N_EXPERTS = EXPERT_NAMES.length;

/** Which router produced a decision: the local model, a vision-language model, the configured static weights, or equal weights. */
export type DecisionSource = 'model' | 'vlm' | 'static' | 'equal';

export interface RouterDecision {
  /** probabilities over REGIMES (trend_up, trend_down, range, volatile), summing to 1 */
  readonly regime: Float64Array;
  /** weights over EXPERT_NAMES (trend, reversal, breakout, positioning, learned), >= 0, summing to 1 */
  readonly weights: Float64Array;
  readonly source: DecisionSource;
  /** one line from a vision-language model, when one decided */
  readonly rationale?: string;
  /** why the preferred router was not used (a missing model, a VLM timeout, an invalid answer, ...) */
  readonly fallbackReason?: string;
}

