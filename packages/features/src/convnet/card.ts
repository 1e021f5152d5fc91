/** The model card saved beside a LiteConvNet: what it was trained on, how, and how well it did out of sample. */
import type { SelectorConfig } from '../selectorConfig.ts';
import type { ConvNetSpec } from './architecture.ts';

export interface FoldMetrics {
  readonly fold: number;
  readonly trainSamples: number;
  readonly validSamples: number;
  /** ISO dates of the validation block */
  readonly validFrom: string;
  readonly validTo: string;
  readonly epochs: number;
  readonly bestValLoss: number;
  /** Spearman IC of the signal with the forward return on the validation block */
  readonly rankIC: number;
  /** share of validation samples where the signal's sign is the forward return's */
  readonly hitRate: number;
}

export interface ModelCard {
  readonly kind: 'lite_convnet';
  readonly version: 1;
  readonly name: string;
  /** catalogue features, in input-channel order */
  readonly features: readonly string[];
  readonly spec: ConvNetSpec;
  /** forward-return horizon the net predicts, bars */
  readonly horizon: number;
  readonly zWindow: number;
  readonly selector: SelectorConfig;
  /** standard deviations of (2p - 1) and of the size output on validation: they scale the expert's exposure */
  readonly signal: { readonly probStd: number; readonly sizeStd: number };
  readonly data: {
    readonly source: string;
    readonly timeframe: string;
    readonly symbols: readonly string[];
    readonly from: string;
    readonly to: string;
  };
  readonly seed: number;
  readonly training: {
    readonly backend: string;
    readonly folds: number;
    readonly maxEpochs: number;
    readonly samplesPerEpoch: number;
    readonly batchSize: number;
    readonly learningRate: number;
    readonly seconds: number;
  };
  readonly folds: readonly FoldMetrics[];
  readonly pruning: {
    readonly targetSparsity: number;
    readonly measuredSparsity: number;
    /** on the last validation block, pruned vs unpruned before fine-tuning */
    readonly maxProbChangeBeforeFineTune: number;
    readonly sizeCorrelationBeforeFineTune: number;
    readonly fineTuneEpochs: number;
  };
  /** the final (pruned, fine-tuned) net on the last validation block */
  readonly metrics: { readonly rankIC: number; readonly hitRate: number; readonly samples: number };
  readonly cost: { readonly params: number; readonly nonzeroParams: number; readonly flops: number; readonly sparseFlops: number };
}
