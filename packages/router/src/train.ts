/**
 * Two-stage training of the router, after MM-DREX.
 * Stage 1, supervised fine-tuning: cross-entropy on the hindsight regime + lambda x KL(policy || oracle) (sft.target;
 * 'forward', KL(oracle || policy), on routers trained before it existed).
 * Stage 2, reinforcement learning by group-relative policy optimisation (GRPO): per state, G weight vectors are
 * sampled around the policy (logistic-normal, policy.ts); each is rewarded by the forward risk-adjusted net return
 * of the weighted exposure (labels.ts); advantages are normalised within the group; the loss is the clipped-ratio
 * surrogate plus beta x KL to the SFT policy (and the regime cross-entropy, so the regime head is kept). After each
 * epoch the mean KL to the SFT policy on a monitor set is checked: above `klBound` the epoch is undone, the step
 * size halved and beta doubled. Both stages stop early on validation Sharpe (of the per-bar mean reward of the
 * deterministic policy, or of its excess over equal weights': TrainConfig.select) and keep the best weights.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { Rng } from '@arena/core';
import { type Tf, infer } from '@arena/kernels';
import { spaced } from '@arena/features';
import type { RouterDataset } from './dataset.ts';
import { reward } from './labels.ts';
import { meanPolicyKl, shrinkTowardsEqual, softmaxInto } from './policy.ts';
import { N_REGIMES } from './decision.ts';

export interface TrainConfig {
  readonly seed: number;
  readonly batchSize: number;
  readonly sft: {
    readonly epochs: number;
    readonly lr: number;
    readonly oracleWeight: number;
    readonly patience: number;
    /**
     * The expert head's target. 'forward': KL(oracle || policy), which learns the mean over bars of the per-bar
     * softmax of realised rewards, so a noisy expert that is often the best of a window draws weight even when its
     * mean reward is negative. 'reverse': KL(policy || oracle) = -(expected reward of the policy) / temperature
     * minus its entropy (plus a constant), whose optimum is the softmax of the expected reward given the inputs.
     * Absent (routers trained before it existed): 'forward'.
     */
    readonly target?: 'forward' | 'reverse';
  };
  readonly rl: {
    readonly epochs: number;
    readonly lr: number;
    /** samples per state */
    readonly group: number;
    /** policy scale in logit space */
    readonly sigma: number;
    readonly clip: number;
    readonly beta: number;
    readonly klBound: number;
    /** gradient steps per batch of sampled groups */
    readonly updates: number;
    readonly regimeWeight: number;
    readonly patience: number;
  };
  /** cap on training samples per epoch (evenly sampled) */
  readonly samplesPerEpoch: number;
  /**
   * What early stopping and the shrinkage towards equal weights choose by, on the validation split. 'reward': the
   * Sharpe (mean / std over bars) of the policy's per-bar mean reward. 'excess': the same of its reward minus equal
   * weights' on the same cells, an information ratio against the baseline, so the router is paid for beating equal
   * weights rather than the market. (RL's gradient is the same either way: GRPO's group-normalised advantage removes
   * any per-state constant, equal weights' reward included.) Absent (routers trained before it existed): 'reward'.
   */
  readonly select?: 'reward' | 'excess';
}

export const DEFAULT_TRAIN: TrainConfig = {
  seed: 7,
  batchSize: 128,
  sft: { epochs: 12, lr: 2e-3, oracleWeight: 1, patience: 3, target: 'reverse' },
  rl: { epochs: 6, lr: 1e-4, group: 8, sigma: 0.5, clip: 0.2, beta: 0.5, klBound: 0.1, updates: 2, regimeWeight: 0.5, patience: 3 },
  samplesPerEpoch: 16_384,
  select: 'excess',
};

export interface TrainProgress {
  readonly stage: 'sft' | 'rl';
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

export interface EpochLog {
  readonly stage: 'sft' | 'rl';
  readonly epoch: number;
  readonly loss: number;
  readonly validSharpe: number;
  /** Sharpe of the per-bar mean reward minus equal weights' (absent in cards trained before it existed) */
  readonly validExcessSharpe?: number;
  readonly validRegimeAccuracy: number;
  /** RL: mean KL to the SFT policy on the monitor set after the epoch (before any undo) */
  readonly kl?: number;
  readonly undone?: boolean;
}

export interface TrainOutcome {
  readonly epochs: EpochLog[];
  readonly sft: { readonly bestEpoch: number; readonly validSharpe: number; readonly validExcessSharpe: number; readonly seconds: number };
  readonly rl: { readonly bestEpoch: number; readonly validSharpe: number; readonly validExcessSharpe: number; readonly kl: number; readonly seconds: number };
  /** sample indices the KL bound is checked on */
  readonly monitor: Int32Array;
  /** expert logits of the SFT policy on the monitor set [monitor x E] */
  readonly sftLogits: Float32Array;
}

export interface Batch {
  readonly images: Float32Array;
  readonly temporal: Float32Array;
}

/** Inputs of samples idx[from, to) as float tensors. */
export function batchTensors(tf: Tf, ds: RouterDataset, idx: ArrayLike<number>, from: number, to: number, buf?: Batch): [Tensor, Tensor] {
  const S = ds.chart.size;
  const px = S * S * 3;
  const n = to - from;
  const images = buf && buf.images.length >= n * px ? buf.images.subarray(0, n * px) : new Float32Array(n * px);
  const temporal = buf && buf.temporal.length >= n * ds.dim ? buf.temporal.subarray(0, n * ds.dim) : new Float32Array(n * ds.dim);
  for (let i = 0; i < n; i++) {
    const s = idx[from + i]!;
    const src = s * px;
    const dst = i * px;
    for (let p = 0; p < px; p++) images[dst + p] = ds.images[src + p]! / 255;
    temporal.set(ds.temporal.subarray(s * ds.dim, (s + 1) * ds.dim), i * ds.dim);
  }
  return [tf.tensor4d(images, [n, S, S, 3]), tf.tensor2d(temporal, [n, ds.dim])];
}

/** Raw outputs [regime logits | expert logits] of samples idx, in batches: [idx.length x (R + E)]. */
export async function predictSamples(tf: Tf, model: LayersModel, ds: RouterDataset, idx: ArrayLike<number>, batch = 256): Promise<Float32Array> {
  const width = model.outputs[0]!.shape[1] as number;
  const out = new Float32Array(idx.length * width);
  const buf: Batch = { images: new Float32Array(batch * ds.chart.size * ds.chart.size * 3), temporal: new Float32Array(batch * ds.dim) };
  for (let i = 0; i < idx.length; i += batch) {
    const to = Math.min(idx.length, i + batch);
    const [x, z] = batchTensors(tf, ds, idx, i, to, buf);
    const y = infer(model, [x, z]);
    out.set((await y.data()) as Float32Array, i * width);
    tf.dispose([x, z, y]);
  }
  return out;
}

export interface PolicyEvaluation {
  /** mean / std over bars of the per-bar mean reward of the deterministic policy */
  readonly sharpe: number;
  readonly meanReward: number;
  /** mean / std over bars of the per-bar mean of (reward - equal weights' reward) */
  readonly excessSharpe: number;
  readonly regimeAccuracy: number;
  readonly expertLogits: Float32Array;
}

/**
 * Mean / std over bars of the per-bar mean reward of weights [idx.length x E] on samples idx, and the same of the
 * reward minus equal weights' on the same cells (excessSharpe; 0 when the two are equal on every bar).
 */
export function rewardSharpe(ds: RouterDataset, idx: Int32Array, weights: Float64Array | Float32Array, E: number): { sharpe: number; meanReward: number; excessSharpe: number } {
  const equal = new Float64Array(E).fill(1 / E);
  const byTime = new Map<number, [number, number, number]>();
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i]!;
    const rw = reward(ds.hindsight, ds.cells[s]!, weights, i * E);
    const t = ds.times[s]!;
    const acc = byTime.get(t) ?? [0, 0, 0];
    acc[0] += rw;
    acc[1] += rw - reward(ds.hindsight, ds.cells[s]!, equal);
    acc[2]++;
    byTime.set(t, acc);
  }
  const ratio = (k: 0 | 1) => {
    const series = [...byTime.values()].map((v) => v[k] / v[2]);
    const mean = series.reduce((a, b) => a + b, 0) / Math.max(1, series.length);
    const sd = Math.sqrt(series.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, series.length - 1));
    return { mean, ratio: sd > 1e-12 ? mean / sd : 0 };
  };
  const all = ratio(0);
  return { sharpe: all.ratio, meanReward: all.mean, excessSharpe: ratio(1).ratio };
}

/** The validation score a training run selects by (TrainConfig.select). */
export function selectionScore(ev: { readonly sharpe: number; readonly excessSharpe: number }, select: TrainConfig['select']): number {
  return select === 'excess' ? ev.excessSharpe : ev.sharpe;
}

/** Validation metrics of the model's deterministic policy (temperature 1, shrunk by `shrink`) on samples idx. */
export async function evaluatePolicy(tf: Tf, model: LayersModel, ds: RouterDataset, idx: Int32Array, R: number, E: number, shrink = 0): Promise<PolicyEvaluation> {
  return policyMetrics(await predictSamples(tf, model, ds, idx), ds, idx, R, E, shrink);
}

/** The shrinkage grid towards equal weights. */
export const SHRINK_GRID = [0, 0.25, 0.5, 0.75, 1] as const;

/**
 * The shrinkage towards equal weights with the best validation score (`select`; ties, within 1e-9: the larger, the
 * safer). At 1 the router is equal weights (its excess is 0); so it is chosen whenever the router did not beat
 * them on validation.
 */
export async function chooseShrink(
  tf: Tf,
  model: LayersModel,
  ds: RouterDataset,
  valid: Int32Array,
  R: number,
  E: number,
  select: TrainConfig['select'] = 'reward',
): Promise<{ lambda: number; by: 'reward' | 'excess'; grid: { lambda: number; validSharpe: number; validExcessSharpe: number }[] }> {
  const out = await predictSamples(tf, model, ds, valid);
  const grid = SHRINK_GRID.map((lambda) => {
    const m = policyMetrics(out, ds, valid, R, E, lambda);
    return { lambda, validSharpe: m.sharpe, validExcessSharpe: m.excessSharpe };
  });
  const score = (g: (typeof grid)[number]) => selectionScore({ sharpe: g.validSharpe, excessSharpe: g.validExcessSharpe }, select);
  let best = grid[0]!;
  for (const g of grid) if (score(g) >= score(best) - 1e-9) best = g;
  return { lambda: best.lambda, by: select ?? 'reward', grid };
}

/** The same metrics from the net's outputs on samples idx (rows [R regime logits | E expert logits]). */
export function policyMetrics(out: Float32Array, ds: RouterDataset, idx: Int32Array, R: number, E: number, shrink = 0): PolicyEvaluation {
  const W = R + E;
  const weights = new Float64Array(idx.length * E);
  const expertLogits = new Float32Array(idx.length * E);
  let correct = 0;
  let labelled = 0;
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i]!;
    let best = 0;
    for (let r = 1; r < R; r++) if (out[i * W + r]! > out[i * W + best]!) best = r;
    // every sample has a label (hindsight labels every valid cell)
    labelled++;
    if (best === ds.regime[s]) correct++;
    softmaxInto(out, i * W + R, E, 1, weights, i * E);
    shrinkTowardsEqual(weights, i * E, E, shrink);
    expertLogits.set(out.subarray(i * W + R, i * W + W), i * E);
  }
  return { ...rewardSharpe(ds, idx, weights, E), regimeAccuracy: labelled ? correct / labelled : 0, expertLogits };
}

function shuffled(idx: Int32Array, count: number, rng: Rng): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = idx[rng.int(idx.length)]!;
  return out;
}

/** Early stopping: the best weights so far by the validation score (TrainConfig.select), and how many epochs since they improved. */
class BestWeights {
  epoch = 0;
  private stale = 0;
  private weights: Tensor[];

  constructor(
    private readonly tf: Tf,
    private readonly model: LayersModel,
    public metrics: PolicyEvaluation,
    private readonly select: TrainConfig['select'],
  ) {
    this.weights = model.getWeights().map((w) => w.clone());
  }

  /** Keeps the model's weights when `ev` beats the best (or `force`); returns true when `patience` epochs passed without. */
  offer(ev: PolicyEvaluation, epoch: number, patience: number, force = false): boolean {
    if (force || selectionScore(ev, this.select) > selectionScore(this.metrics, this.select) + 1e-6) {
      this.metrics = ev;
      this.tf.dispose(this.weights);
      this.weights = this.model.getWeights().map((w) => w.clone());
      this.epoch = epoch;
      this.stale = 0;
      return false;
    }
    return ++this.stale >= patience;
  }

  /** Puts the best weights back into the model and frees the copy. */
  restore(): void {
    this.model.setWeights(this.weights);
    this.tf.dispose(this.weights);
  }
}

/** Trains the model in place (SFT, then GRPO). */
export async function trainRouter(
  tf: Tf,
  model: LayersModel,
  ds: RouterDataset,
  train: Int32Array,
  valid: Int32Array,
  cfg: TrainConfig,
  onProgress?: (p: TrainProgress) => void,
): Promise<TrainOutcome> {
  if (train.length === 0 || valid.length === 0) throw new Error(`router training needs samples in both splits (train ${train.length}, validation ${valid.length})`);
  const R = N_REGIMES;
  const E = ds.oracle.length / ds.n;
  const B = cfg.batchSize;
  const rng = new Rng(cfg.seed);
  const perEpoch = Math.min(cfg.samplesPerEpoch, train.length);
  const batches = Math.max(1, Math.floor(perEpoch / B));
  const total = (cfg.sft.epochs + cfg.rl.epochs) * batches;
  let done = 0;
  const epochs: EpochLog[] = [];
  const buf: Batch = { images: new Float32Array(B * ds.chart.size * ds.chart.size * 3), temporal: new Float32Array(B * ds.dim) };
  const oneHot = new Float32Array(B * R);
  const oracle = new Float32Array(B * E);
  const snapshot = () => model.getWeights().map((w) => w.clone());
  const restore = (ws: Tensor[]) => model.setWeights(ws);

  // ---- stage 1: SFT
  const t0 = performance.now();
  const sftOpt = tf.train.adam(cfg.sft.lr);
  const reverse = cfg.sft.target === 'reverse';
  const sftBest = new BestWeights(tf, model, await evaluatePolicy(tf, model, ds, valid, R, E), cfg.select);
  for (let epoch = 1; epoch <= cfg.sft.epochs; epoch++) {
    const order = shuffled(train, batches * B, rng);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const [x, z] = batchTensors(tf, ds, order, b * B, (b + 1) * B, buf);
      oneHot.fill(0);
      for (let i = 0; i < B; i++) {
        const s = order[b * B + i]!;
        oneHot[i * R + ds.regime[s]!] = 1;
        oracle.set(ds.oracle.subarray(s * E, (s + 1) * E), i * E);
      }
      const yr = tf.tensor2d(oneHot, [B, R]);
      const yo = tf.tensor2d(oracle, [B, E]);
      const loss = sftOpt.minimize(() => {
        const out = model.apply([x, z], { training: true }) as Tensor;
        const ce = tf.losses.softmaxCrossEntropy(yr, out.slice([0, 0], [-1, R]));
        const logp = tf.logSoftmax(out.slice([0, R], [-1, E]));
        const kl = reverse
          ? tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, tf.log(tf.add(yo, 1e-12)))), 1).mean()
          : tf.sum(tf.mul(yo, tf.sub(tf.log(tf.add(yo, 1e-8)), logp)), 1).mean();
        return tf.add(ce, tf.mul(kl, cfg.sft.oracleWeight)) as Tensor as never;
      }, true) as unknown as Tensor;
      lossSum += (await loss.data())[0]!;
      tf.dispose([x, z, yr, yo, loss]);
      done++;
      onProgress?.({ stage: 'sft', done, total, detail: `SFT epoch ${epoch}/${cfg.sft.epochs}` });
    }
    const ev = await evaluatePolicy(tf, model, ds, valid, R, E);
    epochs.push({ stage: 'sft', epoch, loss: lossSum / batches, validSharpe: ev.sharpe, validExcessSharpe: ev.excessSharpe, validRegimeAccuracy: ev.regimeAccuracy });
    onProgress?.({ stage: 'sft', done, total, detail: `SFT epoch ${epoch}: loss ${(lossSum / batches).toFixed(4)}, valid Sharpe ${ev.sharpe.toFixed(4)} (excess ${ev.excessSharpe.toFixed(4)}), regime acc ${(ev.regimeAccuracy * 100).toFixed(1)}%` });
    // the first epoch is kept whatever it scores: the untrained net is not a policy
    if (sftBest.offer(ev, epoch, cfg.sft.patience, sftBest.epoch === 0)) {
      done += (cfg.sft.epochs - epoch) * batches;
      break;
    }
  }
  sftBest.restore();
  sftOpt.dispose();
  const best = sftBest.metrics;
  const sft = { bestEpoch: sftBest.epoch, validSharpe: best.sharpe, validExcessSharpe: best.excessSharpe, seconds: (performance.now() - t0) / 1000 };

  // ---- stage 2: GRPO around the SFT policy
  const t1 = performance.now();
  // the SFT policy's logits for every training state: the frozen reference of the KL penalty
  const sftRef = new Float32Array(ds.n * E);
  const sftOut = await predictSamples(tf, model, ds, train);
  train.forEach((s, i) => sftRef.set(sftOut.subarray(i * (R + E) + R, (i + 1) * (R + E)), s * E));
  // the monitor set of the KL bound: validation first, then spaced training states; SFT logits from the above
  const monitorTrain = spaced(train, 4096);
  const monitor = Int32Array.from([...valid, ...monitorTrain]);
  const sftLogits = new Float32Array(monitor.length * E);
  sftLogits.set(best.expertLogits);
  monitorTrain.forEach((s, i) => sftLogits.set(sftRef.subarray(s * E, (s + 1) * E), (valid.length + i) * E));
  const ref = new Float32Array(B * E);
  const { group: G, sigma, clip, updates } = cfg.rl;
  let lr = cfg.rl.lr;
  let beta = cfg.rl.beta;
  let rlOpt = tf.train.adam(lr);
  const rlBest = new BestWeights(tf, model, best, cfg.select);
  let rlKl = 0;
  const muOld = new Float32Array(B * E);
  const actions = new Float32Array(B * G * E);
  const adv = new Float32Array(B * G);
  const w = new Float64Array(E);
  const rewards = new Float64Array(G);
  for (let epoch = 1; epoch <= cfg.rl.epochs; epoch++) {
    const before = snapshot();
    const order = shuffled(train, batches * B, rng);
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const idx = order.subarray(b * B, (b + 1) * B);
      const [x, z] = batchTensors(tf, ds, idx, 0, B, buf);
      const outOld = infer(model, [x, z]);
      const old = (await outOld.data()) as Float32Array;
      outOld.dispose();
      for (let i = 0; i < B; i++) {
        const s = idx[i]!;
        muOld.set(old.subarray(i * (R + E) + R, (i + 1) * (R + E)), i * E);
        oneHot.fill(0, i * R, (i + 1) * R);
        oneHot[i * R + ds.regime[s]!] = 1;
        let mean = 0;
        for (let g = 0; g < G; g++) {
          const o = (i * G + g) * E;
          for (let e = 0; e < E; e++) actions[o + e] = muOld[i * E + e]! + sigma * rng.normal();
          softmaxInto(actions, o, E, 1, w, 0);
          rewards[g] = reward(ds.hindsight, ds.cells[s]!, w);
          mean += rewards[g]! / G;
        }
        let sd = 0;
        for (let g = 0; g < G; g++) sd += (rewards[g]! - mean) ** 2 / G;
        sd = Math.sqrt(sd);
        for (let g = 0; g < G; g++) adv[i * G + g] = sd > 1e-9 ? (rewards[g]! - mean) / sd : 0;
      }
      for (let i = 0; i < B; i++) ref.set(sftRef.subarray(idx[i]! * E, (idx[i]! + 1) * E), i * E);
      const refLogits = tf.tensor2d(ref, [B, E]);
      const aT = tf.tensor3d(actions, [B, G, E]);
      const advT = tf.tensor2d(adv, [B, G]);
      const muOldT = tf.tensor3d(muOld, [B, 1, E]);
      const yr = tf.tensor2d(oneHot, [B, R]);
      const logpOld = tf.sum(tf.square(tf.sub(aT, muOldT)), 2).mul(-1 / (2 * sigma * sigma));
      for (let u = 0; u < updates; u++) {
        const loss = rlOpt.minimize(() => {
          const out = model.apply([x, z], { training: true }) as Tensor;
          const mu = out.slice([0, R], [-1, E]);
          const logp = tf.sum(tf.square(tf.sub(aT, mu.expandDims(1))), 2).mul(-1 / (2 * sigma * sigma));
          const ratio = tf.exp(tf.sub(logp, logpOld));
          const surr = tf.minimum(tf.mul(ratio, advT), tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advT)).mean();
          const kl = tf.sum(tf.square(tf.sub(mu, refLogits)), 1).mean().mul(1 / (2 * sigma * sigma));
          const ce = tf.losses.softmaxCrossEntropy(yr, out.slice([0, 0], [-1, R]));
          return tf.addN([surr.neg(), kl.mul(beta), ce.mul(cfg.rl.regimeWeight)]) as never;
        }, true) as unknown as Tensor;
        lossSum += (await loss.data())[0]! / updates;
        loss.dispose();
      }
      tf.dispose([x, z, aT, advT, muOldT, yr, logpOld, refLogits]);
      done++;
      onProgress?.({ stage: 'rl', done, total, detail: `RL epoch ${epoch}/${cfg.rl.epochs}` });
    }
    const monitored = await predictSamples(tf, model, ds, monitor);
    const logits = new Float32Array(monitor.length * E);
    for (let i = 0; i < monitor.length; i++) logits.set(monitored.subarray(i * (R + E) + R, (i + 1) * (R + E)), i * E);
    const kl = meanPolicyKl(logits, sftLogits, monitor.length, E, sigma);
    const undone = kl > cfg.rl.klBound;
    if (undone) {
      // outside the trust region: undo the epoch, smaller steps, stronger pull back to SFT
      restore(before);
      lr /= 2;
      beta *= 2;
      rlOpt.dispose();
      rlOpt = tf.train.adam(lr);
    }
    tf.dispose(before);
    // validation leads the monitor set: its rows give the validation metrics unless the epoch was undone
    const ev = undone ? await evaluatePolicy(tf, model, ds, valid, R, E) : policyMetrics(monitored.subarray(0, valid.length * (R + E)), ds, valid, R, E);
    epochs.push({ stage: 'rl', epoch, loss: lossSum / batches, validSharpe: ev.sharpe, validExcessSharpe: ev.excessSharpe, validRegimeAccuracy: ev.regimeAccuracy, kl, undone });
    onProgress?.({ stage: 'rl', done, total, detail: `RL epoch ${epoch}: KL ${kl.toFixed(4)}${undone ? ' > bound, undone' : ''}, valid Sharpe ${ev.sharpe.toFixed(4)} (excess ${ev.excessSharpe.toFixed(4)})` });
    const bestBefore = rlBest.epoch;
    const stop = undone ? rlBest.offer({ ...ev, sharpe: -Infinity, excessSharpe: -Infinity }, epoch, cfg.rl.patience) : rlBest.offer(ev, epoch, cfg.rl.patience);
    if (rlBest.epoch !== bestBefore) rlKl = kl;
    if (stop) {
      done += (cfg.rl.epochs - epoch) * batches;
      break;
    }
  }
  rlBest.restore();
  rlOpt.dispose();
  onProgress?.({ stage: 'rl', done: total, total, detail: 'done' });
  return {
    epochs,
    sft,
    rl: { bestEpoch: rlBest.epoch, validSharpe: rlBest.metrics.sharpe, validExcessSharpe: rlBest.metrics.excessSharpe, kl: rlKl, seconds: (performance.now() - t1) / 1000 },
    monitor,
    sftLogits,
  };
}

/** The forward SFT objective (regime cross-entropy + oracleWeight x KL(oracle || policy)) averaged over samples idx. */
export async function sftLoss(tf: Tf, model: LayersModel, ds: RouterDataset, idx: Int32Array, oracleWeight: number, R = N_REGIMES): Promise<number> {
  const E = ds.oracle.length / ds.n;
  const out = await predictSamples(tf, model, ds, idx);
  const W = R + E;
  const p = new Float64Array(Math.max(R, E));
  let total = 0;
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i]!;
    softmaxInto(out, i * W, R, 1, p, 0);
    total -= Math.log(Math.max(p[ds.regime[s]!]!, 1e-12));
    softmaxInto(out, i * W + R, E, 1, p, 0);
    for (let e = 0; e < E; e++) {
      const q = ds.oracle[s * E + e]!;
      if (q > 0) total += oracleWeight * q * (Math.log(q) - Math.log(Math.max(p[e]!, 1e-12)));
    }
  }
  return total / Math.max(1, idx.length);
}
