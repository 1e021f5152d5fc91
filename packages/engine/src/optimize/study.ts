/**
 * `arena optimize`: walk-forward optimisation of expert parameters and portfolio settings. The bars are cut into
 * folds + 1 blocks; fold k searches on block k (in sample) and scores the winner on block k + 1 (out of sample), so
 * every out-of-sample block is scored with values chosen before it. The winners' out-of-sample blocks chain into one
 * walk-forward run, compared with the configured values over the same bars. Trial 0 of every fold is the configured
 * values; the rest come from the sampler, in batches whose suggestions depend only on the trials before the batch.
 * Every trial is stored in the ledger as it finishes: a study run again continues where it stopped.
 */
import { createHash } from 'node:crypto';
import { type ArenaConfig, type BarPanel, ERR, arenaError } from '@arena/core';
import type { ParamValue, UserExpert } from '@arena/experts';
import type { Ledger } from '../ledger/ledger.ts';
import { type DeflatedSharpe, type SharpeComparison, compareSharpe, deflatedSharpe } from '../eval/stats.ts';
import { TrialPool, panelToWire } from './pool.ts';
import { type SamplerName, type Observed, suggest } from './sampler.ts';
import { type SearchDim, currentParams, decode, encodeDim } from './space.ts';
import { UserExpertRuns } from '../pipeline/userRuns.ts';
import { type Objective, type TrialResult, trialReturns } from './trial.ts';

/** suggestions per batch: fixed, so the points do not depend on the number of workers */
const BATCH = 8;
/** in-sample trials per fold scored out of sample too, for the in- vs out-of-sample scatter */
const SCATTER_TOP = 10;

export interface OptimizeOptions {
  readonly panel: BarPanel;
  /** funding settled at each bar's open (perpetuals, market.kind perp) */
  readonly fundingDue?: Float64Array;
  readonly source: string;
  readonly config: ArenaConfig;
  readonly user: readonly UserExpert[];
  readonly dims: readonly SearchDim[];
  readonly objective: Objective;
  readonly minTrades: number;
  /** trials per fold */
  readonly trials: number;
  readonly folds: number;
  readonly sampler: SamplerName;
  readonly seed: number;
  readonly workers: number;
  readonly ledger: Ledger;
  /** a name for the study (default: a hash of everything that defines it) */
  readonly study?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly log?: (line: string) => void;
}

export interface TrialRecord {
  readonly fold: number;
  readonly trial: number;
  readonly params: Record<string, ParamValue>;
  readonly u: number[];
  readonly value: number;
  readonly result: TrialResult;
}

export interface FoldResult {
  readonly fold: number;
  readonly inSample: { readonly from: string; readonly to: string; readonly bars: number };
  readonly outOfSample: { readonly from: string; readonly to: string; readonly bars: number };
  readonly best: { readonly trial: number; readonly params: Record<string, ParamValue>; readonly inSample: number; readonly outOfSample: number };
  /** the configured values on the same out-of-sample block */
  readonly defaultOutOfSample: number;
  readonly feasible: number;
  readonly deflated: DeflatedSharpe | null;
  /** the best in-sample trials' objective in and out of sample */
  readonly scatter: readonly { readonly trial: number; readonly inSample: number; readonly outOfSample: number }[];
}

export interface OptimizeResult {
  readonly study: string;
  readonly resumedTrials: number;
  readonly objective: Objective;
  readonly sampler: SamplerName;
  readonly dims: readonly SearchDim[];
  readonly defaults: Record<string, ParamValue>;
  readonly folds: readonly FoldResult[];
  readonly trials: readonly TrialRecord[];
  /** the winners' out-of-sample blocks chained, against the configured values over the same bars */
  readonly walkForward: { readonly ts: number[]; readonly tuned: number[]; readonly configured: number[]; readonly comparison: SharpeComparison };
  /** the latest fold's winner: the values to trade next */
  readonly recommended: Record<string, ParamValue>;
  readonly trialsRun: number;
  /** the whole study: search, out-of-sample scoring, the walk-forward */
  readonly seconds: number;
  /** trials of the search per second of it (this run's, resumed ones not counted) */
  readonly trialsPerSec: number;
  readonly workers: number;
}

/** [start, end) of the folds' blocks: folds + 1 equal blocks, the last taking the remainder. */
export function foldBlocks(T: number, folds: number): [number, number][] {
  const B = Math.floor(T / (folds + 1));
  if (B < 50) throw new Error(`${T} bars make blocks of ${B} bars for ${folds} folds; at least 50 are needed (fewer --folds, or more bars)`);
  return Array.from({ length: folds + 1 }, (_, k) => [k * B, k === folds ? T : (k + 1) * B]);
}

function studyId(o: OptimizeOptions): string {
  const p = o.panel;
  const spec = {
    source: o.source,
    symbols: p.symbols,
    timeframe: p.timeframe,
    from: p.ts[0],
    to: p.ts[p.nTimes - 1],
    bars: p.nTimes,
    dims: o.dims,
    objective: o.objective,
    minTrades: o.minTrades,
    folds: o.folds,
    sampler: o.sampler,
    seed: o.seed,
    config: o.config,
  };
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 12);
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function optimize(o: OptimizeOptions): Promise<OptimizeResult> {
  const { panel, dims, ledger } = o;
  const T = panel.nTimes;
  const blocks = foldBlocks(T, o.folds);
  const id = studyId(o);
  const study = o.study ?? id;
  const db = ledger.db;
  const existing = db.prepare('SELECT spec FROM optimize_studies WHERE study = ?').get(study) as { spec: string } | undefined;
  if (existing !== undefined && existing.spec !== id) throw arenaError(ERR.LEDGER, `study ${study} in ${ledger.path} was run with other data or settings (${existing.spec} vs ${id}); name another --study`);
  if (existing === undefined) db.prepare('INSERT INTO optimize_studies (study, spec, created) VALUES (?, ?, ?)').run(study, id, new Date().toISOString());
  const insert = db.prepare('INSERT OR REPLACE INTO optimize_trials (study, fold, trial, params, u, value, result) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const stored = db.prepare('SELECT fold, trial, params, u, value, result FROM optimize_trials WHERE study = ? ORDER BY fold, trial').all(study) as { fold: number; trial: number; params: string; u: string; value: number | null; result: string }[];
  const trials: TrialRecord[] = stored.map((r) => ({ fold: r.fold, trial: r.trial, params: JSON.parse(r.params), u: JSON.parse(r.u), value: r.value ?? -Infinity, result: JSON.parse(r.result) }));
  const resumedTrials = trials.length;
  if (resumedTrials > 0) o.log?.(`study ${study}: ${resumedTrials} trials already in ${ledger.path}, continuing`);
  const defaults = currentParams(o.config, dims, o.user);
  const defaultU = dims.map((d) => encodeDim(d, defaults[d.key]!));
  const total = o.folds * o.trials;
  let done = Math.min(total, trials.filter((t) => t.trial < o.trials).length);
  o.onProgress?.(done, total);
  const started = performance.now();
  let ran = 0;
  let searchMs = 0;
  const pool = await TrialPool.start(Math.max(1, o.workers), { panel: panelToWire(panel), config: o.config, objective: o.objective, minTrades: o.minTrades, ...(o.fundingDue ? { fundingDue: o.fundingDue } : {}) });
  // the winners' returns here: each user expert on one thread (the config's limit per bar) across them
  const user = new UserExpertRuns(o.user, panel.nAssets, o.config.experts.userTimeoutMs);
  try {
    const folds: FoldResult[] = [];
    for (let k = 0; k < o.folds; k++) {
      const [i0, i1] = blocks[k]!;
      const [s0, s1] = blocks[k + 1]!;
      const mine = () => trials.filter((t) => t.fold === k && t.trial < o.trials).sort((a, b) => a.trial - b.trial);
      for (let n = mine().length; n < o.trials; n = mine().length) {
        const have = new Set(mine().map((t) => t.trial));
        // the first batch not complete; its suggestions read the trials before it only (as in a run never stopped)
        let start = 0;
        while (start < o.trials && Array.from({ length: Math.min(BATCH, o.trials - start) }, (_, j) => start + j).every((i) => have.has(i))) start += BATCH;
        const history: Observed[] = mine()
          .filter((t) => t.trial < start)
          .map((t) => ({ u: t.u, value: t.value }));
        const batch = Array.from({ length: BATCH }, (_, j) => start + j).filter((i) => i < o.trials && !have.has(i));
        const t0 = performance.now();
        await Promise.all(
          batch.map(async (i) => {
            const u = i === 0 ? defaultU : suggest(o.sampler, dims.length, history, o.seed * 101 + k, i);
            const params = i === 0 ? defaults : decode(dims, u);
            const result = await pool.run({ id: k * 1_000_000 + i, params, t0: i0, t1: i1 });
            const rec: TrialRecord = { fold: k, trial: i, params, u, value: result.value, result };
            insert.run(study, k, i, JSON.stringify(params), JSON.stringify(u), Number.isFinite(result.value) ? result.value : null, JSON.stringify(result));
            trials.push(rec);
            ran++;
            o.onProgress?.(++done, total);
          }),
        );
        searchMs += performance.now() - t0;
      }
      const fold = mine();
      const feasible = fold.filter((t) => Number.isFinite(t.value));
      const ranked = [...feasible].sort((a, b) => b.value - a.value || a.trial - b.trial);
      const best = ranked[0] ?? fold[0]!;
      const top = ranked.slice(0, SCATTER_TOP);
      // the best is the first of the top (or, with no feasible trial, trial 0 alone)
      const scored = top.length > 0 ? top : [best];
      const oos = await Promise.all(scored.map((t) => pool.run({ id: -1, params: t.params, t0: s0, t1: s1 })));
      const defaultOos = await pool.run({ id: -2, params: defaults, t0: s0, t1: s1 });
      let deflated: DeflatedSharpe | null = null;
      if (feasible.length > 1 && o.objective !== 'return') {
        deflated = deflatedSharpe(trialReturns(panel, o.config, user, best.params, i0, i1, o.fundingDue), feasible.map((t) => t.result.sharpePerBar ?? 0), panel.periodsPerYear());
      }
      folds.push({
        fold: k,
        inSample: { from: iso(panel.ts[i0]!), to: iso(panel.ts[i1 - 1]!), bars: i1 - i0 },
        outOfSample: { from: iso(panel.ts[s0]!), to: iso(panel.ts[s1 - 1]!), bars: s1 - s0 },
        best: { trial: best.trial, params: best.params, inSample: best.value, outOfSample: oos[0]!.value },
        defaultOutOfSample: defaultOos.value,
        feasible: feasible.length,
        deflated,
        scatter: top.map((t, j) => ({ trial: t.trial, inSample: t.value, outOfSample: oos[j]!.value })),
      });
    }
    // the walk-forward: each out-of-sample block traded with its fold's winner, and with the configured values
    const ts: number[] = [];
    const tuned: number[] = [];
    const configured: number[] = [];
    let et = 1;
    let ec = 1;
    const rt: number[] = [];
    const rc: number[] = [];
    for (const f of folds) {
      const [s0, s1] = blocks[f.fold + 1]!;
      const a = trialReturns(panel, o.config, user, f.best.params, s0, s1, o.fundingDue);
      const b = trialReturns(panel, o.config, user, defaults, s0, s1, o.fundingDue);
      for (let i = 0; i < a.length; i++) {
        et *= 1 + a[i]!;
        ec *= 1 + b[i]!;
        ts.push(panel.ts[s0 + i]!);
        tuned.push(et);
        configured.push(ec);
        rt.push(a[i]!);
        rc.push(b[i]!);
      }
    }
    const comparison = compareSharpe('tuned', Float64Array.from(rt), 'configured', Float64Array.from(rc), panel.periodsPerYear(), { minBlock: 24 });
    const seconds = (performance.now() - started) / 1000;
    return {
      study,
      resumedTrials,
      objective: o.objective,
      sampler: o.sampler,
      dims,
      defaults,
      folds,
      trials: [...trials].sort((a, b) => a.fold - b.fold || a.trial - b.trial),
      walkForward: { ts, tuned, configured, comparison },
      recommended: folds[folds.length - 1]!.best.params,
      trialsRun: ran,
      seconds,
      trialsPerSec: ran / Math.max(1e-9, searchMs / 1000),
      workers: pool.size,
    };
  } finally {
    user.close();
    await pool.close();
  }
}
