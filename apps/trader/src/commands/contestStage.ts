/** Wiring of the contest into backtest and eval: the data team before the experts, the router on its selection, the contest stage after. */
import { join } from 'node:path';
import type { ArenaConfig, BarPanel } from '@arena/core';
import { type DataTeamResult, runDataTeam } from '@arena/contest';
import { type ContestStage, Ledger, runContestStage, summariseContest, summariseDataTeam } from '@arena/engine';
import { type Expert, type ExpertSeries, LearnedExpert } from '@arena/experts';
import { withSelection } from '@arena/features';
import type { Runtime } from '@arena/kernels';
import { ModelRouter, type Router, type RoutingSeries } from '@arena/router';
import { createProgress } from '../progress.ts';

/** The data team's factors scored over the panel; the learned expert then reads the chosen selection. */
export function runDataTeamFor(panel: BarPanel, funding: Float64Array | undefined, config: ArenaConfig, learned: Expert | undefined, log: (s: string) => void): DataTeamResult | undefined {
  const team = config.contest.dataTeam;
  if (team.variants.length === 0) return undefined;
  const started = performance.now();
  const base = learned instanceof LearnedExpert ? learned.net.card.selector : {};
  const progress = createProgress('data team');
  const result = runDataTeam({ panel, ...(funding ? { funding } : {}), base, team, window: config.contest.window, onProgress: (_s, d, n) => progress.update(d, n) });
  progress.done();
  const summary = summariseDataTeam(result)
    .map((d) => `${d.name} ${(d.chosenShare * 100).toFixed(0)}%`)
    .join(', ');
  log(`data team: ${result.variants.length} factor producers scored by rank IC every ${config.contest.window} bars in ${(performance.now() - started).toFixed(0)} ms; chosen: ${summary}`);
  if (learned instanceof LearnedExpert) learned.useInputs(panel, result.inputs);
  return result;
}

/** The router's weights; a model router reads the data team's selection of its features when there is one. */
export async function routeWithTeam(router: Router, panel: BarPanel, exposures: readonly Float64Array[], funding: Float64Array | undefined, team: DataTeamResult | undefined): Promise<RoutingSeries> {
  if (team === undefined || !(router instanceof ModelRouter)) return router.route(panel, exposures, funding);
  const own = router.prepare(panel, funding);
  return router.routeWith(panel, exposures, own === undefined ? undefined : withSelection(own, team.merged));
}

export interface ContestForRun {
  readonly stage: ContestStage;
  readonly summary: ReturnType<typeof summariseContest>;
  readonly ledgerPath: string;
}

/** Runs the contest on the experts and routing, writing its record to the ledger at dbPath (default: out/ledger.db). */
export async function contestFor(
  o: { panel: BarPanel; config: ArenaConfig; experts: readonly ExpertSeries[]; routing: RoutingSeries; runtime?: Runtime; team?: DataTeamResult; source: string; kind: string; out: string; db?: string },
  log: (s: string) => void,
): Promise<ContestForRun> {
  const ledgerPath = o.db ?? join(o.out, 'ledger.db');
  const ledger = Ledger.open(ledgerPath);
  try {
    const progress = createProgress('contest');
    const stage = await runContestStage({ panel: o.panel, config: o.config, experts: o.experts, routing: o.routing, ...(o.runtime ? { runtime: o.runtime } : {}), ledger, kind: o.kind, source: o.source, onProgress: (d, n) => progress.update(d, n) });
    progress.done();
    const summary = summariseContest(stage.run, o.panel.periodsPerYear(), o.team ? summariseDataTeam(o.team) : undefined);
    log(`contest: ${o.config.contest.agents} agents over ${o.panel.nTimes} bars in ${stage.ms.toFixed(0)} ms; ${summary.windows} windows, in cash ${((summary.cashBars / Math.max(1, summary.bars)) * 100).toFixed(1)}% of bars; ${stage.ledgerRows} rows to ${ledgerPath} (run ${stage.runId})`);
    return { stage, summary, ledgerPath };
  } finally {
    ledger.close();
  }
}
