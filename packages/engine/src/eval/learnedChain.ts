/**
 * `arena eval --walk-forward K --train`: the learned expert retrained per fold, nested so that nothing downstream
 * reads an in-sample output. Convnets are trained at chain points: the middle of the bars before the first test
 * block (when that leaves enough history), then the start of each test block. The net of point p learns from the
 * bars before p minus an embargo (the longest label horizon) and decides from p to the next point; before the
 * first point (and throughout, on a panel too short to train one) the learned expert holds 0. So every learned
 * output comes from a net that never saw its bar or the bars after it, and a router trained on the bars before a
 * block learns from out-of-sample learned outputs.
 * The selector needs no retraining: it selects on line from past bars only.
 */
import { type BarPanel, ERR, isArenaError } from '@arena/core';
import type { ChainedNet, LearnedExpert } from '@arena/experts';
import { trainOnPanel } from '@arena/features';
import type { Tf } from '@arena/kernels';

/** One net of the chain, as eval.json records it. */
export interface ChainedNetRecord {
  readonly name: string;
  /** the first bar it decides */
  readonly decidesFrom: string;
  /** the bars it learned from */
  readonly trainedOn: { readonly from: string; readonly to: string };
  readonly bars: number;
  /** its own walk-forward rank IC on its last validation block (model card) */
  readonly rankIC: number;
}

export interface LearnedChain {
  readonly nets: ChainedNet[];
  readonly records: ChainedNetRecord[];
}

export interface LearnedChainOptions {
  readonly tf: Tf;
  readonly panel: BarPanel;
  readonly funding?: Float64Array;
  /** the test blocks [start, end) of the evaluation */
  readonly folds: readonly (readonly [number, number])[];
  /** the committed learned expert: its spec, horizon and selector are kept, its weights are not used */
  readonly learned: LearnedExpert;
  /** bars between a net's last training bar and its first decision */
  readonly embargo: number;
  readonly source: string;
  readonly backend: string;
  /** the nets' names: `${prefix}-${j}` (default eval-chain) */
  readonly prefix?: string;
  readonly log?: (line: string) => void;
  readonly onProgress?: (net: number, nets: number, stage: string, done: number, total: number) => void;
}

/**
 * The chain points: the middle of the bars before the first block, then each block's start, keeping those with
 * at least `minTrainBars` bars before them (minus the embargo) to learn from; before the first kept point the
 * learned expert holds 0.
 */
export function chainPoints(folds: readonly (readonly [number, number])[], embargo: number, minTrainBars: number): number[] {
  const inner = Math.floor(folds[0]![0] / 2);
  return [inner, ...folds.map((f) => f[0])].filter((p) => p - embargo >= minTrainBars);
}

export async function trainLearnedChain(o: LearnedChainOptions): Promise<LearnedChain> {
  const { panel, learned, embargo } = o;
  const card = learned.net.card;
  const A = panel.nAssets;
  // a net needs a full selection window before its first sample, and as much again to learn from
  const minTrainBars = 2 * card.selector.window + card.spec.window + card.horizon;
  const points = chainPoints(o.folds, embargo, minTrainBars);
  const iso = (t: number) => new Date(panel.ts[t]!).toISOString();
  const nets: ChainedNet[] = [];
  const records: ChainedNetRecord[] = [];
  for (const [j, p] of points.entries()) {
    const end = p - embargo;
    const name = `${o.prefix ?? 'eval-chain'}-${j}`;
    o.log?.(`training the learned expert's convnet ${j + 1}/${points.length} on bars 0..${end - 1} (${iso(0).slice(0, 10)}..${iso(end - 1).slice(0, 10)}); it decides from ${iso(p).slice(0, 10)}`);
    let trained;
    try {
      trained = await trainOnPanel(o.tf, panel.slice(0, end), o.funding?.subarray(0, end * A), {
        name,
        source: o.source,
        backend: o.backend,
        horizon: card.horizon,
        selector: card.selector,
        spec: { window: card.spec.window, filters: card.spec.filters, kernel: card.spec.kernel, hidden: card.spec.hidden },
        seed: card.seed,
        onProgress: (pr) => o.onProgress?.(j, points.length, pr.stage, pr.done, pr.total),
      });
    } catch (e) {
      // too few samples before this point: no net yet, the previous one (or 0) goes on deciding
      if (!(isArenaError(e) && e.code === ERR.CONVNET_SAMPLES.code)) throw e;
      o.log?.(`${name} not trained (${e.message}); the learned expert goes on as before ${iso(p).slice(0, 10)}`);
      continue;
    }
    // by construction: trained on bars before p - embargo, deciding from p on
    if (Date.parse(trained.card.data.to) >= panel.ts[p - embargo]!) throw new Error(`${name}: trained to ${trained.card.data.to}, which reaches into the embargo before ${iso(p)}`);
    nets.push({ from: p, net: { model: trained.result.model, card: trained.card, dir: `(trained for eval: ${name})` } });
    records.push({ name, decidesFrom: iso(p), trainedOn: { from: trained.card.data.from, to: trained.card.data.to }, bars: end, rankIC: trained.card.metrics.rankIC });
  }
  return { nets, records };
}
