/**
 * The contest's record in the ledger: agents, every proposal, every realised outcome per horizon, the windows and
 * the leaderboard. Writes go through prepared statements inside transactions: in batch runs one transaction per
 * `commitEvery` bars (and at `finish`), in step mode the caller's own per-step transaction when commitEvery is 0.
 */
import type { AgentSpec, ContestSink, WindowFrame } from '@arena/contest';
import type Database from 'better-sqlite3';
import type { Ledger } from './ledger.ts';

/** `VALUES (?, ..), (?, ..)`: n rows of k parameters, for one statement per bar instead of one per agent. */
function valuesOf(n: number, k: number): string {
  const row = `(${new Array(k).fill('?').join(', ')})`;
  return new Array(n).fill(row).join(', ');
}

export class ContestLedger implements ContestSink {
  /** a bar's rows of every agent in one statement each (prepared by begin(), once the agents are known) */
  private insProposals: Database.Statement | undefined;
  private insOutcomes: Database.Statement | undefined;
  private proposalParams: unknown[] = [];
  private outcomeParams: unknown[] = [];
  private readonly insWindow: Database.Statement;
  private readonly insScore: Database.Statement;
  private nAgents = 0;
  private nAssets = 0;
  private bars = 0;
  private open = false;
  /** rows written, for the report and the benchmark */
  rows = 0;

  constructor(
    readonly ledger: Ledger,
    readonly runId: number,
    /** bars per transaction; 0: the caller manages transactions */
    readonly commitEvery = 512,
  ) {
    const db = ledger.db;
    this.insWindow = db.prepare('INSERT INTO contest_windows (run_id, ts, window_index, ready, pairs, cash, record_t, withheld) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insScore = db.prepare('INSERT INTO contest_scores (run_id, ts, agent, realized, predicted, adopted, weight) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Records the agents (once per run: a resumed run keeps its rows). */
  begin(agents: readonly AgentSpec[], symbols: readonly string[], _horizons: readonly number[], experts: readonly string[]): void {
    this.nAgents = agents.length;
    this.nAssets = symbols.length;
    if (this.nAgents > 0) {
      const db = this.ledger.db;
      this.insProposals = db.prepare(`INSERT INTO contest_proposals (run_id, ts, agent, exposures) VALUES ${valuesOf(this.nAgents, 4)}`);
      this.insOutcomes = db.prepare(`INSERT INTO contest_outcomes (run_id, ts, horizon, agent, realized_ts, reward) VALUES ${valuesOf(this.nAgents, 6)}`);
      this.proposalParams = new Array(4 * this.nAgents);
      this.outcomeParams = new Array(6 * this.nAgents);
    }
    const ins = this.ledger.db.prepare('INSERT OR IGNORE INTO contest_agents (run_id, agent, name, horizon, temperature, appetite, experts) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.ledger.db.transaction(() => {
      for (const a of agents) ins.run(this.runId, a.id, a.name, a.horizon, a.temperature, a.appetite, experts.filter((_, e) => (a.experts >> e) & 1).join(','));
    })();
  }

  private ensureOpen(): void {
    if (this.commitEvery > 0 && !this.open) {
      this.ledger.db.exec('BEGIN');
      this.open = true;
    }
  }

  proposals(ts: number, row: Float32Array, offset: number): void {
    this.ensureOpen();
    const A = this.nAssets;
    const p = this.proposalParams;
    for (let i = 0; i < this.nAgents; i++) {
      const o = offset + i * A;
      // a view on the caller's row: SQLite copies a blob when it binds it, before the caller reuses the buffer
      p[4 * i] = this.runId;
      p[4 * i + 1] = ts;
      p[4 * i + 2] = i;
      p[4 * i + 3] = Buffer.from(row.buffer, row.byteOffset + o * 4, A * 4);
    }
    this.insProposals?.run(p);
    this.rows += this.nAgents;
    this.bars++;
    if (this.commitEvery > 0 && this.bars % this.commitEvery === 0) this.commit();
  }

  outcomes(ts: number, horizon: number, realizedTs: number, rewards: Float64Array, offset: number): void {
    this.ensureOpen();
    const p = this.outcomeParams;
    for (let i = 0; i < this.nAgents; i++) {
      const r = rewards[offset + i]!;
      p[6 * i] = this.runId;
      p[6 * i + 1] = ts;
      p[6 * i + 2] = horizon;
      p[6 * i + 3] = i;
      p[6 * i + 4] = realizedTs;
      p[6 * i + 5] = Number.isFinite(r) ? r : null;
    }
    this.insOutcomes?.run(p);
    this.rows += this.nAgents;
  }

  window(f: WindowFrame): void {
    this.ensureOpen();
    this.insWindow.run(this.runId, f.ts, f.index, f.ready ? 1 : 0, f.pairs, f.cash ? 1 : 0, Number.isNaN(f.recordT) ? null : f.recordT, f.withheld ? 1 : 0);
    for (let i = 0; i < this.nAgents; i++) {
      const p = f.predicted[i]!;
      this.insScore.run(this.runId, f.ts, i, f.realized[i]!, Number.isFinite(p) ? p : null, f.weights[i]! > 0 ? 1 : 0, f.weights[i]!);
    }
    this.rows += 1 + this.nAgents;
  }

  private commit(): void {
    if (!this.open) return;
    this.ledger.db.exec('COMMIT');
    this.open = false;
  }

  /** Commits what is pending (batch runs). */
  finish(): void {
    this.commit();
  }
}
