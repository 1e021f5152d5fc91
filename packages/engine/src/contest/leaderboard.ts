/**
 * The contest's leaderboard over time, read back from the ledger: per window end, every agent's realised and
 * predicted Sharpe (annualised), whether it was adopted and its weight. The dashboard and `arena contest report`
 * read it here.
 */
import type { Ledger, RunInfo } from '../ledger/ledger.ts';

export interface LeaderboardEntry {
  readonly agent: number;
  readonly name: string;
  /** the window's realised Sharpe, annualised */
  readonly realized: number;
  /** the shrunk predicted Sharpe for the next window, annualised (null: not predicted) */
  readonly predicted: number | null;
  readonly adopted: boolean;
  readonly weight: number;
}

export interface LeaderboardFrame {
  readonly ts: number;
  readonly index: number;
  readonly ready: boolean;
  readonly pairs: number;
  readonly cash: boolean;
  /** the track record's t-statistic at this window's end (null: no record), and whether the model's choice was withheld for it */
  readonly recordT: number | null;
  readonly withheld: boolean;
  /** every agent, best predicted first (unpredicted last) */
  readonly entries: readonly LeaderboardEntry[];
}

export interface Leaderboard {
  readonly run: RunInfo;
  readonly agents: readonly { readonly agent: number; readonly name: string; readonly horizon: number; readonly temperature: number | null; readonly appetite: number; readonly experts: string }[];
  readonly frames: readonly LeaderboardFrame[];
  /** rows of the record, for the report */
  readonly counts: { readonly proposals: number; readonly outcomes: number };
}

/** The leaderboard of one run (the latest one with a contest when runId is absent); `since` keeps frames with ts >= since. */
export function readLeaderboard(ledger: Ledger, runId?: number, since?: number): Leaderboard {
  const db = ledger.db;
  const withContest = db.prepare('SELECT DISTINCT run_id FROM contest_agents ORDER BY run_id').all() as { run_id: number }[];
  if (withContest.length === 0) throw new Error(`the ledger ${ledger.path} holds no contest run: run a backtest with --contest (or contest.enabled) and --db ${ledger.path}`);
  const id = runId ?? withContest[withContest.length - 1]!.run_id;
  const run = ledger.runs().find((r) => r.id === id);
  if (run === undefined || !withContest.some((r) => r.run_id === id)) throw new Error(`the ledger ${ledger.path} has no contest run ${id}; runs with a contest: ${withContest.map((r) => r.run_id).join(', ')}`);
  const annual = Math.sqrt(run.periodsPerYear);
  const agents = db.prepare('SELECT agent, name, horizon, temperature, appetite, experts FROM contest_agents WHERE run_id = ? ORDER BY agent').all(id) as Leaderboard['agents'][number][];
  const names = agents.map((a) => a.name);
  const windows = db.prepare('SELECT ts, window_index, ready, pairs, cash, record_t, withheld FROM contest_windows WHERE run_id = ? AND ts >= ? ORDER BY ts').all(id, since ?? -Infinity) as { ts: number; window_index: number; ready: number; pairs: number; cash: number; record_t: number | null; withheld: number }[];
  const scores = db.prepare('SELECT ts, agent, realized, predicted, adopted, weight FROM contest_scores WHERE run_id = ? AND ts >= ? ORDER BY ts, agent').all(id, since ?? -Infinity) as { ts: number; agent: number; realized: number; predicted: number | null; adopted: number; weight: number }[];
  const byTs = new Map<number, LeaderboardEntry[]>();
  for (const s of scores) {
    const list = byTs.get(s.ts) ?? [];
    list.push({ agent: s.agent, name: names[s.agent] ?? `agent ${s.agent}`, realized: s.realized * annual, predicted: s.predicted === null ? null : s.predicted * annual, adopted: s.adopted === 1, weight: s.weight });
    byTs.set(s.ts, list);
  }
  const frames = windows.map((w) => ({
    ts: w.ts,
    index: w.window_index,
    ready: w.ready === 1,
    pairs: w.pairs,
    cash: w.cash === 1,
    recordT: w.record_t,
    withheld: w.withheld === 1,
    entries: (byTs.get(w.ts) ?? []).sort((a, b) => (b.predicted ?? -Infinity) - (a.predicted ?? -Infinity) || a.agent - b.agent),
  }));
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(id) as { n: number }).n;
  return { run, agents, frames, counts: { proposals: count('contest_proposals'), outcomes: count('contest_outcomes') } };
}
