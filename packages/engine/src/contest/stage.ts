/**
 * The contest stage of a backtest or an eval: the research team built from the config, run over the panel on the
 * experts' exposures and the router's weights, its record written to the ledger when one is given.
 */
import { type ArenaConfig, type BarPanel, expertNames } from '@arena/core';
import { type ContestRun, type ContestSettings, type DataTeamFrame, researchTeam, runContest } from '@arena/contest';
import type { ExpertSeries } from '@arena/experts';
import type { Runtime } from '@arena/kernels';
import type { RoutingSeries } from '@arena/router';
import { ContestLedger } from '../ledger/contestLedger.ts';
import type { Ledger } from '../ledger/ledger.ts';

export interface ContestStageInput {
  readonly panel: BarPanel;
  readonly config: ArenaConfig;
  readonly experts: readonly ExpertSeries[];
  readonly routing?: RoutingSeries;
  readonly runtime?: Runtime;
  readonly ledger?: Ledger;
  /** what the run is, for the ledger's runs table */
  readonly kind?: string;
  readonly source: string;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ContestStage {
  readonly run: ContestRun;
  /** the ledger run id the record was written under */
  readonly runId?: number;
  readonly ledgerRows: number;
  readonly ms: number;
}

export function contestSettings(config: ArenaConfig): ContestSettings {
  const { enabled: _e, agents: _a, seed: _s, horizons: _h, dataTeam: _d, ...settings } = config.contest;
  return settings;
}

export async function runContestStage(i: ContestStageInput): Promise<ContestStage> {
  const { panel, config } = i;
  const started = performance.now();
  const agents = researchTeam(config.contest.agents, { seed: config.contest.seed, horizons: config.contest.horizons, names: expertNames(config) });
  const runId = i.ledger?.startRun({ kind: i.kind ?? 'backtest', source: i.source, symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config });
  const sink = i.ledger && runId !== undefined ? new ContestLedger(i.ledger, runId) : undefined;
  const run = await runContest({
    panel,
    bars: { exposures: i.experts.map((e) => e.exposure), ...(i.routing ? { weights: i.routing.weights } : {}) },
    agents,
    experts: expertNames(config),
    settings: contestSettings(config),
    horizons: config.contest.horizons,
    cost: (config.broker.feeBps + config.broker.halfSpreadBps) / 1e4,
    slot: config.portfolio.maxGross / panel.nAssets,
    ...(i.runtime ? { runtime: i.runtime } : {}),
    ...(sink ? { sink } : {}),
    ...(i.onProgress ? { onProgress: i.onProgress } : {}),
  });
  sink?.finish();
  return { run, ...(runId !== undefined ? { runId } : {}), ledgerRows: sink?.rows ?? 0, ms: performance.now() - started };
}

/** The data team's part of a summary: each variant, how often it was chosen and its mean trailing IC. */
export function summariseDataTeam(d: { readonly variants: readonly { readonly name: string }[]; readonly frames: readonly DataTeamFrame[] }): { name: string; chosenShare: number; meanIc: number | null }[] {
  return d.variants.map((v, k) => {
    const ics = d.frames.map((f) => f.ic[k]!).filter(Number.isFinite);
    return {
      name: v.name,
      chosenShare: d.frames.length > 0 ? d.frames.filter((f) => f.chosen === k).length / d.frames.length : 0,
      meanIc: ics.length > 0 ? ics.reduce((s, x) => s + x, 0) / ics.length : null,
    };
  });
}
