/** The model card saved beside a router: data, splits, training, and out-of-sample metrics. */
import type { SelectorConfigInput } from '@arena/features';
import type { LabelOptions } from './labels.ts';
import type { RouterSpec } from './spec.ts';
import type { EpochLog, TrainConfig } from './train.ts';

export interface SplitInfo {
  readonly from: string;
  readonly to: string;
  readonly samples: number;
}

export interface PolicyMetrics {
  /** mean / std over bars of the per-bar mean forward risk-adjusted net reward (labels.ts) */
  readonly sharpe: number;
  readonly meanReward: number;
  /** the same of the reward minus equal weights' (an information ratio against them; absent on older cards) */
  readonly excessSharpe?: number;
  /** share of regime calls that match the labels; null for a policy that makes none (the oracle) */
  readonly regimeAccuracy: number | null;
}

export interface RouterCard {
  readonly kind: 'mm_router';
  readonly version: 1;
  readonly name: string;
  readonly spec: RouterSpec;
  readonly experts: readonly string[];
  /** catalogue features of the temporal input (masked by the dynamic selection); empty when trained without */
  readonly features: readonly string[];
  readonly temporal: readonly string[];
  /**
   * Cost per unit of exposure traded, charged in the experts' trailing performance inputs (net performance, the
   * labels' cost). Absent on routers trained before it existed: 0, gross performance.
   */
  readonly temporalCost?: number;
  readonly selector: SelectorConfigInput;
  readonly labels: LabelOptions;
  /** where the regime labels came from: the hindsight rule or the synthetic market's truth */
  readonly regimeLabels: 'hindsight' | 'truth';
  readonly data: { readonly source: string; readonly timeframe: string; readonly symbols: readonly string[]; readonly from: string; readonly to: string; readonly stride: number };
  readonly splits: { readonly train: SplitInfo; readonly valid: SplitInfo; readonly test: SplitInfo };
  readonly train: TrainConfig;
  readonly epochs: readonly EpochLog[];
  readonly metrics: {
    readonly sft: { readonly bestEpoch: number; readonly validSharpe: number; readonly validExcessSharpe?: number };
    readonly rl: { readonly bestEpoch: number; readonly validSharpe: number; readonly validExcessSharpe?: number; readonly klToSft: number; readonly klBound: number };
    /** on the test split: the router (shrunk as deployed, and before shrinking), equal weights and the oracle (upper bound) */
    readonly test: { readonly router: PolicyMetrics; readonly routerUnshrunk?: PolicyMetrics; readonly equalWeight: PolicyMetrics; readonly oracle: PolicyMetrics };
  };
  /**
   * The weights are shrunk towards equal: w = (1 - lambda) softmax + lambda / E, lambda the grid value with the best
   * validation score (`by`: the Sharpe of the reward, or of its excess over equal weights'; ties: the larger).
   * Absent on routers trained before it existed (lambda 0); `by` absent: 'reward'.
   */
  readonly shrink?: {
    readonly lambda: number;
    readonly by?: 'reward' | 'excess';
    readonly grid: readonly { readonly lambda: number; readonly validSharpe: number; readonly validExcessSharpe?: number }[];
  };
  readonly cost: { readonly params: number; readonly flops: number };
  readonly training: { readonly backend: string; readonly seconds: number; readonly sftSeconds: number; readonly rlSeconds: number };
  /**
   * where the learned expert's outputs it learned from came from: `nested`, convnets retrained on a chain over its
   * training bars, each deciding only after the bars it learned from (0 before the first), so it never learned from
   * an in-sample fit; `committed`, the committed convnet as it is (asked for with --in-sample-learned); absent on
   * cards from before 2026-12-07 (committed) and on routers trained without the learned expert
   */
  readonly learnedOutputs?: {
    readonly kind: 'nested' | 'committed';
    readonly nets?: readonly { readonly name: string; readonly decidesFrom: string; readonly trainedOn: { readonly from: string; readonly to: string }; readonly bars: number; readonly rankIC: number }[];
  };
}
