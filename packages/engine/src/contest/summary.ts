/** What the contest did over a run, for the backtest report: adoption per agent, cash time, weights over time. */
import type { ContestRun } from '@arena/contest';

export interface ContestAgentRow {
  readonly agent: number;
  readonly name: string;
  /** windows in which the agent was adopted */
  readonly adoptedWindows: number;
  /** mean weight while adopted */
  readonly meanWeight: number;
  /** annualised Sharpe of its per-bar rewards over the run (after costs, as the contest scored it) */
  readonly sharpe: number | null;
}

export interface ContestSummary {
  readonly agents: number;
  readonly windows: number;
  readonly cashBars: number;
  /** bars holding the benchmark agent because nobody cleared the hurdle (contest.benchmark 'equal') */
  readonly benchmarkBars: number;
  /** windows whose choice the score model's track record withheld (contest.trackRecord), the fallback held instead; null: no track record */
  readonly withheldWindows: number | null;
  readonly bars: number;
  /** most-adopted agents first (at most 12), then the best by Sharpe among the rest to fill */
  readonly leaders: readonly ContestAgentRow[];
  /** per window end: weights of the top agents (the `bands` order), then the others, then cash */
  readonly weights: { readonly ts: number[]; readonly bands: string[]; readonly rows: number[][] };
  readonly dataTeam?: readonly { name: string; chosenShare: number; meanIc: number | null }[];
}

const TOP = 6;

export function summariseContest(run: ContestRun, periodsPerYear: number, dataTeam?: ContestSummary['dataTeam']): ContestSummary {
  const N = run.agents.length;
  const T = run.barRewards.length / N;
  const adopted = new Float64Array(N);
  const weightSum = new Float64Array(N);
  for (const f of run.frames) {
    for (const i of f.adopted) {
      adopted[i] = adopted[i]! + 1;
      weightSum[i] = weightSum[i]! + f.weights[i]!;
    }
  }
  const sharpe = (i: number): number | null => {
    let s1 = 0;
    let s2 = 0;
    let n = 0;
    for (let t = 0; t < T; t++) {
      const r = run.barRewards[t * N + i]!;
      if (r === r) (s1 += r), (s2 += r * r), n++;
    }
    const m = n > 0 ? s1 / n : 0;
    const sd = n > 1 ? Math.sqrt(Math.max(0, s2 / n - m * m)) : 0;
    return sd > 0 ? (m / sd) * Math.sqrt(periodsPerYear) : null;
  };
  const sharpes = Array.from({ length: N }, (_, i) => sharpe(i));
  const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => adopted[b]! - adopted[a]! || (sharpes[b] ?? -Infinity) - (sharpes[a] ?? -Infinity) || a - b);
  const leaders = order.slice(0, Math.min(12, N)).map((i) => ({
    agent: i,
    name: run.agents[i]!.name,
    adoptedWindows: adopted[i]!,
    meanWeight: adopted[i]! > 0 ? weightSum[i]! / adopted[i]! : 0,
    sharpe: sharpes[i]!,
  }));
  const top = order.slice(0, TOP).filter((i) => adopted[i]! > 0);
  const topSet = new Set(top);
  const rows = run.frames.map((f) => {
    const row = top.map((i) => f.weights[i]!);
    let other = 0;
    f.adopted.forEach((i) => {
      if (!topSet.has(i)) other += f.weights[i]!;
    });
    return [...row, other, f.cash ? 1 : 0];
  });
  return {
    agents: N,
    windows: run.frames.length,
    cashBars: run.cashBars,
    benchmarkBars: run.benchmarkBars,
    withheldWindows: run.frames.some((f) => !Number.isNaN(f.recordT)) ? run.frames.filter((f) => f.withheld).length : null,
    bars: T,
    leaders,
    weights: { ts: run.frames.map((f) => f.ts), bands: [...top.map((i) => run.agents[i]!.name), 'other agents', 'cash'], rows },
    ...(dataTeam ? { dataTeam } : {}),
  };
}
