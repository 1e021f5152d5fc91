/**
 * The contest's record in the ledger: agents, every proposal, every realised outcome per horizon, the windows and
 * the leaderboard. Writes go through prepared statements inside transactions: in batch runs one transaction per
 * `commitEvery` bars (and at `finish`), in step mode the caller's own per-step transaction when commitEvery is 0.
 */
import type { AgentSpec, ContestSink, WindowFrame } from '@arena/contest';
import type Database from 'better-sqlite3';
import type { Ledger } from './ledger.ts';

export class ContestLedger implements ContestSink {
  private readonly insProposal: Database.Statement;
  private readonly insOutcome: Database.Statement;
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
    this.insProposal = db.prepare('INSERT INTO contest_proposals (run_id, ts, agent, exposures) VALUES (?, ?, ?, ?)');
    this.insOutcome = db.prepare('INSERT INTO contest_outcomes (run_id, ts, horizon, agent, realized_ts, reward) VALUES (?, ?, ?, ?, ?, ?)');
    this.insWindow = db.prepare('INSERT INTO contest_windows (run_id, ts, window_index, ready, pairs, cash, record_t, withheld) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insScore = db.prepare('INSERT INTO contest_scores (run_id, ts, agent, realized, predicted, adopted, weight) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Records the agents (once per run: a resumed run keeps its rows). */
  begin(agents: readonly AgentSpec[], symbols: readonly string[], _horizons: readonly number[], experts: readonly string[]): void {
    this.nAgents = agents.length;
    this.nAssets = symbols.length;
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
    for (let i = 0; i < this.nAgents; i++) {
      const o = offset + i * A;
      // a copy: the row's buffer is reused by the caller
      const blob = Buffer.from(row.buffer.slice(row.byteOffset + o * 4, row.byteOffset + (o + A) * 4));
      this.insProposal.run(this.runId, ts, i, blob);
    }
    this.rows += this.nAgents;
    this.bars++;
    if (this.commitEvery > 0 && this.bars % this.commitEvery === 0) this.commit();
  }

  outcomes(ts: number, horizon: number, realizedTs: number, rewards: Float64Array, offset: number): void {
    this.ensureOpen();
    for (let i = 0; i < this.nAgents; i++) {
      const r = rewards[offset + i]!;
      this.insOutcome.run(this.runId, ts, horizon, i, realizedTs, Number.isFinite(r) ? r : null);
    }
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
