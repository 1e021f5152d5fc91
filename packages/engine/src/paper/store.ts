/**
 * The paper daemon's books in the ledger. `writeStep` puts one step's effects (its bars, the fills at the open,
 * the orders at the close, the equity point, positions, the decision) in one transaction or, inside the daemon's
 * step savepoint (runLoop's group commit), in that savepoint; the source offset goes with the step, or for a group
 * the last released step's offset is written at its commit. After a crash the ledger holds whole steps only, and
 * the offset is that of the last of them.
 */
import { EXPERT_NAMES, type OhlcvRow, REGIMES, emptyOhlcvRow } from '@arena/core';
import type Database from 'better-sqlite3';
import type { Ledger } from '../ledger/ledger.ts';
import type { BarRow } from './growingPanel.ts';
import type { ControlKind, StepResult } from '../pipeline/pipeline.ts';
import type { SourceOffset } from './daemon.ts';
import type { PaperBroker } from '../broker.ts';
import { REASON } from '../exits.ts';

export interface PaperRun {
  readonly runId: number;
  /** the run's uid (RunInfo.uid), on the daemon's Kafka outputs */
  readonly runUid: string;
  readonly status: 'running' | 'finished';
  readonly source: string;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly resumes: number;
}


export class PaperStore {
  private readonly s: Record<'bar' | 'order' | 'fill' | 'funding' | 'equity' | 'position' | 'decision' | 'offset' | 'event' | 'selection' | 'control', Database.Statement>;
  private orderId: number;
  /** the positions and their levels as last written, [a * 6 + k] (undefined before the first step of this process) */
  private written: Float64Array | undefined;
  private fillId: number;
  private readonly tx: (step: StepResult, row: BarRow, broker: PaperBroker, offset: SourceOffset | readonly SourceOffset[], tsRecv: number | undefined) => void;

  constructor(
    readonly ledger: Ledger,
    readonly runId: number,
    /** the experts' names, built-in then the user's (expertNames(config)) */
    private readonly names: readonly string[] = EXPERT_NAMES,
  ) {
    const db = ledger.db;
    this.s = {
      bar: db.prepare('INSERT INTO bars (run_id, t, ts, asset, open, high, low, close, volume, funding, funding_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      order: db.prepare('INSERT INTO orders (run_id, id, t, ts, asset, qty, reason) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      fill: db.prepare('INSERT INTO fills (run_id, id, t, ts, asset, qty, requested_qty, price, fee, slippage_bps, reason, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      funding: db.prepare('INSERT INTO funding (run_id, t, ts, asset, rate, price, units, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      equity: db.prepare('INSERT INTO equity (run_id, t, ts, equity, cash, gross, net, drawdown, margin, ts_recv) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      position: db.prepare(
        'INSERT INTO positions (run_id, asset, units, entry_price, stop, target, trailing, liquidation) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT (run_id, asset) DO UPDATE SET units = excluded.units, entry_price = excluded.entry_price, stop = excluded.stop, target = excluded.target, trailing = excluded.trailing, liquidation = excluded.liquidation',
      ),
      decision: db.prepare('INSERT INTO decisions (run_id, t, ts, record) VALUES (?, ?, ?, ?)'),
      offset: db.prepare('INSERT INTO offsets (run_id, source, part, position, seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, source, part) DO UPDATE SET position = excluded.position, seen = excluded.seen'),
      event: db.prepare('INSERT INTO events (run_id, at, ts, kind, detail) VALUES (?, ?, ?, ?, ?)'),
      selection: db.prepare('INSERT OR REPLACE INTO feature_selections (run_id, ts, reason, detail, features, weights, from_t) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      control: db.prepare('INSERT INTO controls (run_id, t, seq, kind, at) VALUES (?, ?, ?, ?, ?)'),
    };
    const max = (table: string) => (db.prepare(`SELECT COALESCE(MAX(id), 0) AS n FROM ${table} WHERE run_id = ?`).get(runId) as { n: number }).n;
    this.orderId = max('orders');
    this.fillId = max('fills');
    this.tx = db.transaction((step, row, broker, offset, tsRecv) => this.write(step, row, broker, offset, tsRecv));
  }

  /** Starts a new paper run, or finds the unfinished one to resume (same symbols and timeframe, else an error). */
  static openRun(ledger: Ledger, o: { source: string; symbols: readonly string[]; timeframe: string; periodsPerYear: number; config: unknown }): { run: PaperRun; resumed: boolean } {
    const db = ledger.db;
    const open = db.prepare("SELECT p.run_id, p.status, p.source, p.resumes, r.uid, r.symbols, r.timeframe FROM paper_runs p JOIN runs r ON r.id = p.run_id WHERE p.status = 'running' ORDER BY p.run_id DESC LIMIT 1").get() as
      | { run_id: number; status: 'running'; source: string; resumes: number; uid: string; symbols: string; timeframe: string }
      | undefined;
    if (open !== undefined) {
      const symbols = JSON.parse(open.symbols) as string[];
      if (symbols.join(',') !== o.symbols.join(',') || open.timeframe !== o.timeframe) {
        throw new Error(`the ledger ${ledger.path} holds an unfinished paper run ${open.run_id} on ${symbols.join(',')} ${open.timeframe}, not ${o.symbols.join(',')} ${o.timeframe}: resume it with the same universe or use another --db`);
      }
      db.prepare('UPDATE paper_runs SET resumes = resumes + 1 WHERE run_id = ?').run(open.run_id);
      return { run: { runId: open.run_id, runUid: open.uid, status: 'running', source: open.source, symbols, timeframe: open.timeframe, resumes: open.resumes + 1 }, resumed: true };
    }
    const runId = ledger.startRun({ kind: 'paper', source: o.source, symbols: o.symbols, timeframe: o.timeframe, periodsPerYear: o.periodsPerYear, config: o.config });
    db.prepare("INSERT INTO paper_runs (run_id, status, source) VALUES (?, 'running', ?)").run(runId, o.source);
    return { run: { runId, runUid: ledger.runUid(runId), status: 'running', source: o.source, symbols: o.symbols, timeframe: o.timeframe, resumes: 0 }, resumed: false };
  }

  /** The bars already stepped, in order, to rebuild the state from (with their funding, when the run had some). */
  bars(nAssets: number): { ts: number; row: BarRow }[] {
    const rows = this.ledger.db.prepare('SELECT t, ts, asset, open, high, low, close, volume, funding, funding_due FROM bars WHERE run_id = ? ORDER BY t, asset').all(this.runId) as {
      t: number;
      ts: number;
      asset: number;
      open: number;
      high: number;
      low: number;
      close: number;
      volume: number;
      funding: number | null;
      funding_due: number | null;
    }[];
    const out: { ts: number; row: OhlcvRow & { funding?: Float64Array; fundingDue?: Float64Array } }[] = [];
    let cur: (typeof out)[number] | undefined;
    let curT = -1;
    for (const r of rows) {
      if (r.t !== curT) {
        cur = { ts: r.ts, row: emptyOhlcvRow(nAssets) };
        out.push(cur);
        curT = r.t;
      }
      const row = cur!.row;
      row.open[r.asset] = r.open;
      row.high[r.asset] = r.high;
      row.low[r.asset] = r.low;
      row.close[r.asset] = r.close;
      row.volume[r.asset] = r.volume;
      row.present[r.asset] = 1;
      if (r.funding !== null) {
        cur!.row = { ...row, funding: row.funding ?? new Float64Array(nAssets).fill(NaN) };
        cur!.row.funding![r.asset] = r.funding;
      }
      if (r.funding_due !== null) {
        cur!.row = { ...cur!.row, fundingDue: cur!.row.fundingDue ?? new Float64Array(nAssets) };
        cur!.row.fundingDue![r.asset] = r.funding_due;
      }
    }
    return out;
  }

  /** Whether a transaction is open (a group of steps being written). */
  get inTransaction(): boolean {
    return this.ledger.db.inTransaction;
  }

  /** Records an operator's control request (committed at once outside a transaction); returns its id. */
  requestControl(kind: ControlKind): number {
    const r = this.ledger.db
      .prepare('INSERT INTO control_requests (run_id, id, kind, requested_at) VALUES (?, (SELECT COALESCE(MAX(id), 0) + 1 FROM control_requests WHERE run_id = ?), ?, ?) RETURNING id')
      .get(this.runId, this.runId, kind, new Date().toISOString()) as { id: number };
    return r.id;
  }

  /** The control requests no step has applied yet, in the order they came. */
  unappliedControls(): { id: number; kind: ControlKind }[] {
    return this.ledger.db.prepare('SELECT id, kind FROM control_requests WHERE run_id = ? AND applied_t IS NULL ORDER BY id').all(this.runId) as { id: number; kind: ControlKind }[];
  }

  /** Marks requests as applied by the step of bar t (inside that step's savepoint). */
  controlsApplied(ids: readonly number[], t: number): void {
    const mark = this.ledger.db.prepare('UPDATE control_requests SET applied_t = ? WHERE run_id = ? AND id = ?');
    for (const id of ids) mark.run(t, this.runId, id);
  }

  /** The operator controls of the run by the bar they applied at, in order. */
  controls(): Map<number, ControlKind[]> {
    const out = new Map<number, ControlKind[]>();
    for (const c of this.ledger.db.prepare('SELECT t, kind FROM controls WHERE run_id = ? ORDER BY t, seq').all(this.runId) as { t: number; kind: ControlKind }[]) {
      const list = out.get(c.t) ?? [];
      list.push(c.kind);
      out.set(c.t, list);
    }
    return out;
  }

  /** Every stored partition of a source: the next position, and the highest offset seen where recorded (Kafka). */
  offsets(source: string): { part: number; position: string; seen?: string }[] {
    const rows = this.ledger.db.prepare('SELECT part, position, seen FROM offsets WHERE run_id = ? AND source = ? ORDER BY part').all(this.runId, source) as { part: number; position: string; seen: string | null }[];
    return rows.map((r) => ({ part: r.part, position: r.position, ...(r.seen !== null ? { seen: r.seen } : {}) }));
  }

  /** The last stored equity, to check a rebuilt state against. */
  lastEquity(): { t: number; ts: number; equity: number } | undefined {
    return this.ledger.db.prepare('SELECT t, ts, equity FROM equity WHERE run_id = ? ORDER BY t DESC LIMIT 1').get(this.runId) as { t: number; ts: number; equity: number } | undefined;
  }

  /** One step's effects and its source offset, in one transaction; tsRecv: when its bar reached the daemon (ms). */
  writeStep(step: StepResult, row: BarRow, broker: PaperBroker, offset: SourceOffset | readonly SourceOffset[], tsRecv?: number): void {
    if (!this.inStep) {
      this.tx(step, row, broker, offset, tsRecv);
      return;
    }
    // inside the daemon's step savepoint (runLoop): that savepoint is the step's atomic unit, and the source
    // positions are written once, the last released step's, when the group commits (each step's would overwrite
    // the one before in the same transaction)
    this.writeBooks(step, row, broker, tsRecv);
    this.stepOffset = offset;
  }

  private write(step: StepResult, row: BarRow, broker: PaperBroker, offset: SourceOffset | readonly SourceOffset[], tsRecv: number | undefined): void {
    this.writeBooks(step, row, broker, tsRecv);
    this.writeOffsets(offset);
  }

  private writeOffsets(offset: SourceOffset | readonly SourceOffset[]): void {
    const { s, runId } = this;
    if (Array.isArray(offset)) for (const o of offset as readonly SourceOffset[]) s.offset.run(runId, o.source, o.part, o.position, o.seen ?? null);
    else {
      const o = offset as SourceOffset;
      s.offset.run(runId, o.source, o.part, o.position, o.seen ?? null);
    }
  }

  private writeBooks(step: StepResult, row: BarRow, broker: PaperBroker, tsRecv: number | undefined): void {
    const { s, runId } = this;
    const { units } = broker;
    const A = units.length;
    for (let a = 0; a < A; a++) {
      if (row.present[a] !== 1) continue;
      s.bar.run(runId, step.t, step.ts, a, row.open[a], row.high[a], row.low[a], row.close[a], row.volume[a], finite(row.funding?.[a]), finite(row.fundingDue?.[a]));
    }
    for (const f of step.fills) s.fill.run(runId, ++this.fillId, step.t, step.ts, f.asset, f.qty, f.requestedQty, f.price, f.fee, f.slippageBps, f.reason, f.closed ? 1 : 0);
    for (const f of step.funding) s.funding.run(runId, step.t, step.ts, f.asset, f.rate, f.price, f.units, f.amount);
    const reason = step.halted !== undefined ? 'kill switch: flatten' : 'rebalance';
    for (const [a, q] of step.orders) s.order.run(runId, ++this.orderId, step.t, step.ts, a, q, broker.pendingReason[a] === REASON.time ? 'time stop' : broker.pendingReason[a] === REASON.kill && step.halted === undefined ? 'flatten' : reason);
    s.equity.run(runId, step.t, step.ts, step.equity, broker.cash, step.gross, step.net, step.drawdown, step.margin, finite(tsRecv));
    // positions whose units or levels changed (all at a run's first step)
    const prev = (this.written ??= new Float64Array(A * LEVELS).fill(NaN));
    const now = this.levels;
    for (let a = 0; a < A; a++) {
      positionLevels(broker, a, now);
      let same = true;
      for (let k = 0; k < LEVELS; k++) if (!Object.is(prev[a * LEVELS + k], now[k])) same = false;
      if (same) continue;
      prev.set(now, a * LEVELS);
      s.position.run(runId, a, now[0], finite(now[1]), finite(now[2]), finite(now[3]), finite(now[4]), finite(now[5]));
    }
    if (step.orders.length > 0) s.decision.run(runId, step.t, step.ts, decisionRecord(step, A, this.names));
    if (step.halted !== undefined) s.event.run(runId, new Date().toISOString(), step.ts, 'kill_switch', step.halted);
    for (const f of step.expertFaults ?? []) s.event.run(runId, new Date().toISOString(), step.ts, 'expert_disabled', f.reason);
    const sel = step.selection;
    if (sel !== undefined) s.selection.run(runId, sel.ts, sel.reason, sel.detail, JSON.stringify(sel.features), JSON.stringify(sel.weights), step.t);
    step.controls?.forEach((kind, seq) => s.control.run(runId, step.t, seq, kind, new Date().toISOString()));
  }

  /** inside a step's savepoint; the source positions of the step being written, and of the last step released */
  private inStep = false;
  private stepOffset: SourceOffset | readonly SourceOffset[] | undefined;
  private groupOffset: SourceOffset | readonly SourceOffset[] | undefined;

  private readonly levels = new Float64Array(LEVELS);

  /** Opens the step's transaction (writeStep nests in it as a savepoint). */
  begin(): void {
    this.ledger.db.exec('BEGIN');
  }

  commit(): void {
    if (this.groupOffset !== undefined) this.writeOffsets(this.groupOffset);
    this.groupOffset = undefined;
    this.ledger.db.exec('COMMIT');
    this.ledger.afterCommit();
  }

  /** One step's savepoint inside the open transaction (the daemon groups steps; see runLoop). */
  savepoint(): void {
    this.ledger.db.exec('SAVEPOINT step');
    this.inStep = true;
    this.stepOffset = undefined;
  }

  release(): void {
    this.ledger.db.exec('RELEASE step');
    this.inStep = false;
    if (this.stepOffset !== undefined) this.groupOffset = this.stepOffset;
    this.stepOffset = undefined;
  }

  /** Undoes the step's writes only; the transaction and the steps before stay. */
  rollbackToSavepoint(): void {
    this.inStep = false;
    this.stepOffset = undefined;
    if (this.ledger.db.inTransaction) this.ledger.db.exec('ROLLBACK TO step; RELEASE step');
  }

  rollback(): void {
    this.inStep = false;
    this.stepOffset = this.groupOffset = undefined;
    if (this.ledger.db.inTransaction) this.ledger.db.exec('ROLLBACK');
  }

  event(kind: string, detail: string, ts?: number): void {
    this.s.event.run(this.runId, new Date().toISOString(), ts ?? null, kind, detail);
  }

  finish(): void {
    this.ledger.db.prepare("UPDATE paper_runs SET status = 'finished' WHERE run_id = ?").run(this.runId);
  }
}

/** A number as a nullable SQL value: null when absent or not finite. */
function finite(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** units, entry price, stop, target, trailing stop, liquidation price */
const LEVELS = 6;

/** A position's units and levels as the ledger keeps them (NaN: none). */
function positionLevels(broker: PaperBroker, a: number, out: Float64Array): void {
  const u = broker.units[a]!;
  const x = broker.exits;
  out[0] = u;
  const open = u !== 0 && x !== undefined;
  const side = u > 0 ? 1 : -1;
  out[1] = open ? x.entry[a]! : NaN;
  out[2] = open ? x.stop[a]! : NaN;
  out[3] = open ? x.target[a]! : NaN;
  out[4] = open ? x.trailLevel(a, side) : NaN;
  out[5] = open ? x.liquidation[a]! : NaN;
}

function decisionRecord(step: StepResult, A: number, names: readonly string[]): string {
  const E = names.length;
  const assets = step.orders.map(([a, qty]) => ({
    asset: a,
    qty,
    combined: step.combined[a],
    ...(step.target !== step.combined && step.target[a] !== step.combined[a] ? { target: step.target[a] } : {}),
    exposures: Object.fromEntries(names.map((n, e) => [n, step.experts[e * A + a]])),
    weights: Object.fromEntries(names.map((n, e) => [n, step.weights[a * E + e]])),
    ...(step.regime ? { regime: Object.fromEntries(REGIMES.map((r, k) => [r, step.regime![a * REGIMES.length + k]])) } : {}),
  }));
  return JSON.stringify({ ts: new Date(step.ts).toISOString(), assets });
}
