/** Training a router on a panel end to end: features, dataset, chronological splits, SFT + RL, test metrics, card. */
import type { LayersModel } from '@tensorflow/tfjs';
import { type BarPanel, ERR, EXPERT_NAMES, arenaError } from '@arena/core';
import { type SelectorConfigInput, preparePanel } from '@arena/features';
import type { Tf } from '@arena/kernels';
import type { PolicyMetrics, RouterCard, SplitInfo } from './card.ts';
import { type RouterDataset, buildDataset, splitByTime } from './dataset.ts';
import { N_REGIMES } from './decision.ts';
import { DEFAULT_LABELS, type LabelOptions } from './labels.ts';
import { buildRouterModel, routerCost } from './model.ts';
import { DEFAULT_CHART, defaultSpec } from './spec.ts';
import { temporalNames } from './temporal.ts';
import { DEFAULT_TRAIN, type TrainConfig, type TrainProgress, chooseShrink, policyMetrics, predictSamples, rewardSharpe, trainRouter } from './train.ts';

export interface TrainRouterOptions {
  readonly name: string;
  readonly source: string;
  readonly backend: string;
  readonly funding?: Float64Array;
  /** the synthetic market's true regimes, used as labels */
  readonly regimeTruth?: Uint8Array;
  /** a decision bar every `stride` bars (default 4) */
  readonly stride?: number;
  readonly fractions?: readonly [number, number, number];
  readonly labels?: Partial<LabelOptions>;
  readonly train?: Partial<TrainConfig>;
  readonly selector?: SelectorConfigInput;
  /** feed the dynamically selected features to the temporal branch (default true) */
  readonly useFeatures?: boolean;
  readonly onProgress?: (stage: string, done: number, total: number, detail: string) => void;
  /** the experts' names, in the order of `experts` (default: the built-in ones) */
  readonly names?: readonly string[];
}

export interface TrainedRouter {
  readonly model: LayersModel;
  readonly card: RouterCard;
  readonly dataset: RouterDataset;
  readonly splits: ReturnType<typeof splitByTime>;
  /** expert logits of the SFT policy on `monitor` samples, for the KL check */
  readonly sftLogits: Float32Array;
  readonly monitor: Int32Array;
}

const WARMUP = 168;

/** Metrics of fixed weights per sample: equal weights, or the oracle's best single expert. */
function fixedPolicy(ds: RouterDataset, idx: Int32Array, kind: 'equal' | 'oracle', E: number): PolicyMetrics {
  const w = new Float64Array(idx.length * E);
  for (let i = 0; i < idx.length; i++) {
    if (kind === 'equal') w.fill(1 / E, i * E, (i + 1) * E);
    else {
      const o = idx[i]! * E;
      let best = 0;
      for (let e = 1; e < E; e++) if (ds.oracle[o + e]! > ds.oracle[o + best]!) best = e;
      w[i * E + best] = 1;
    }
  }
  // the oracle makes no regime call; equal weights' uniform regime is scored as chance
  return { ...rewardSharpe(ds, idx, w, E), regimeAccuracy: kind === 'oracle' ? null : 1 / N_REGIMES };
}

export async function trainRouterOnPanel(tf: Tf, panel: BarPanel, experts: readonly Float64Array[], o: TrainRouterOptions): Promise<TrainedRouter> {
  const started = performance.now();
  const progress = o.onProgress ?? (() => undefined);
  const names = o.names ?? EXPERT_NAMES;
  const E = experts.length;
  if (names.length !== E) throw new Error(`${E} expert series for ${names.length} names (${names.join(', ')})`);
  const labels: LabelOptions = { ...DEFAULT_LABELS, ...o.labels };
  const cfg: TrainConfig = { ...DEFAULT_TRAIN, ...o.train };
  const stride = o.stride ?? 4;
  const selector = o.selector ?? {};
  const prepared = o.useFeatures === false ? undefined : preparePanel(panel, o.funding, selector, (stage, d, n) => progress(stage, d, n, ''));
  const features = prepared ? prepared.set.features.map((f) => f.name) : [];
  const ds = buildDataset(panel, experts, prepared?.inputs, features.length, {
    chart: DEFAULT_CHART,
    labels,
    stride,
    warmup: WARMUP,
    temporalCost: labels.cost,
    ...(o.regimeTruth ? { regimeTruth: o.regimeTruth } : {}),
    onProgress: (d, n) => progress('charts', d, n, ''),
  });
  const ahead = Math.max(labels.horizon, labels.regimeHorizon);
  const splits = splitByTime(ds, o.fractions ?? [0.7, 0.15, 0.15], ahead);
  if (splits.train.length === 0 || splits.valid.length === 0) {
    let labelled = 0;
    for (let c = 0; c < ds.hindsight.valid.length; c++) labelled += ds.hindsight.valid[c]!;
    const share = `${((100 * labelled) / Math.max(1, ds.hindsight.valid.length)).toFixed(1)}%`;
    const range = `${panel.symbols.length} symbols, ${new Date(panel.ts[0]!).toISOString().slice(0, 10)}..${new Date(panel.ts[panel.nTimes - 1]!).toISOString().slice(0, 10)} (${panel.nTimes} bars)`;
    throw arenaError(ERR.ROUTER_SAMPLES, range, splits.train.length, splits.valid.length, ahead, share);
  }
  const spec = defaultSpec(ds.dim, E);
  const model = buildRouterModel(tf, spec, cfg.seed);
  const outcome = await trainRouter(tf, model, ds, splits.train, splits.valid, cfg, (p: TrainProgress) => progress(p.stage, p.done, p.total, p.detail));
  // the shrinkage towards equal weights, chosen on the validation split (the test split stays unseen)
  const shrink = await chooseShrink(tf, model, ds, splits.valid, N_REGIMES, E, cfg.select);
  const testOut = await predictSamples(tf, model, ds, splits.test);
  const test = policyMetrics(testOut, ds, splits.test, N_REGIMES, E, shrink.lambda);
  const testUnshrunk = shrink.lambda > 0 ? policyMetrics(testOut, ds, splits.test, N_REGIMES, E) : test;
  const iso = (t: number) => new Date(panel.ts[Math.min(Math.max(t, 0), panel.nTimes - 1)]!).toISOString();
  const info = (rows: [number, number], idx: Int32Array): SplitInfo => ({ from: iso(rows[0]), to: iso(rows[1] - 1), samples: idx.length });
  const seconds = (performance.now() - started) / 1000;
  const card: RouterCard = {
    kind: 'mm_router',
    version: 1,
    name: o.name,
    spec,
    experts: [...names],
    features,
    temporal: temporalNames(names, features),
    temporalCost: labels.cost,
    selector,
    labels,
    regimeLabels: o.regimeTruth ? 'truth' : 'hindsight',
    data: { source: o.source, timeframe: panel.timeframe, symbols: panel.symbols, from: iso(0), to: iso(panel.nTimes - 1), stride },
    splits: { train: info(splits.rows.train, splits.train), valid: info(splits.rows.valid, splits.valid), test: info(splits.rows.test, splits.test) },
    train: cfg,
    epochs: outcome.epochs,
    metrics: {
      sft: { bestEpoch: outcome.sft.bestEpoch, validSharpe: outcome.sft.validSharpe, validExcessSharpe: outcome.sft.validExcessSharpe },
      rl: { bestEpoch: outcome.rl.bestEpoch, validSharpe: outcome.rl.validSharpe, validExcessSharpe: outcome.rl.validExcessSharpe, klToSft: outcome.rl.kl, klBound: cfg.rl.klBound },
      test: {
        router: { sharpe: test.sharpe, meanReward: test.meanReward, excessSharpe: test.excessSharpe, regimeAccuracy: test.regimeAccuracy },
        routerUnshrunk: { sharpe: testUnshrunk.sharpe, meanReward: testUnshrunk.meanReward, excessSharpe: testUnshrunk.excessSharpe, regimeAccuracy: testUnshrunk.regimeAccuracy },
        equalWeight: fixedPolicy(ds, splits.test, 'equal', E),
        oracle: fixedPolicy(ds, splits.test, 'oracle', E),
      },
    },
    shrink,
    cost: routerCost(spec),
    training: { backend: o.backend, seconds, sftSeconds: outcome.sft.seconds, rlSeconds: outcome.rl.seconds },
  };
  return { model, card, dataset: ds, splits, sftLogits: outcome.sftLogits, monitor: outcome.monitor };
}
