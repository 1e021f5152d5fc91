/**
 * Reading a ledger's paper runs: the one module that queries the books for readers outside the engine (the
 * dashboard, `arena ledger summary`). Read-only; in WAL mode it sees each step the daemon commits.
 */
import { EXIT_REASONS, type ExitReason } from '../exits.ts';
import { BarPanel, EXPERT_NAMES, REGIMES, type Timeframe, timeframeMs } from '@arena/core';
import { readLeaderboard } from '../contest/leaderboard.ts';
import type { Ledger } from './ledger.ts';

export interface RunView {
  readonly id: number;
  readonly source: string;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly initialCash: number;
}

/** A decision as the ledger holds it: per ordered asset its order, exposures, weights and regime. */
export interface DecisionRecord {
  readonly t: number;
  readonly ts: number;
  readonly assets: readonly { asset: number; qty: number; combined: number; target?: number; exposures: Record<string, number>; weights: Record<string, number>; regime?: Record<string, number> }[];
}

export class LedgerReader {
  constructor(readonly ledger: Ledger) {}

  /** The latest paper run (undefined while the ledger holds none). */
  run(): RunView | undefined {
    const r = this.ledger.db.prepare("SELECT r.id, r.source, r.symbols, r.timeframe, r.config FROM runs r JOIN paper_runs p ON p.run_id = r.id ORDER BY r.id DESC LIMIT 1").get() as
      | { id: number; source: string; symbols: string; timeframe: Timeframe; config: string }
      | undefined;
    if (r === undefined) return undefined;
    const config = JSON.parse(r.config) as { broker?: { initialCash?: number } };
    return { id: r.id, source: r.source, symbols: JSON.parse(r.symbols) as string[], timeframe: r.timeframe, initialCash: config.broker?.initialCash ?? 100_000 };
  }

  /** Progress of the run from the equity table's primary key: cheap enough for every status poll. */
  progress(run: RunView): { status: string; steps: number; lastTs: string | null; equity: number | null } {
    const last = this.ledger.db.prepare('SELECT t, ts, equity FROM equity WHERE run_id = ? ORDER BY t DESC LIMIT 1').get(run.id) as { t: number; ts: number; equity: number } | undefined;
    const st = this.ledger.db.prepare('SELECT status FROM paper_runs WHERE run_id = ?').get(run.id) as { status: string } | undefined;
    return { status: st?.status ?? 'unknown', steps: last ? last.t + 1 : 0, lastTs: last ? new Date(last.ts).toISOString() : null, equity: last?.equity ?? null };
  }

  /** Candles of one symbol, oldest first, from time `since` (ms), at most `limit`. */
  bars(run: RunView, asset: number, since: number, limit: number): { t: number; ts: number; open: number; high: number; low: number; close: number; volume: number }[] {
    return this.ledger.db
      .prepare('SELECT t, ts, open, high, low, close, volume FROM (SELECT * FROM bars WHERE run_id = ? AND asset = ? AND ts >= ? ORDER BY t DESC LIMIT ?) ORDER BY t')
      .all(run.id, asset, since, limit) as never;
  }

  /** Equity and drawdown, downsampled to at most maxPoints (every k-th point and the last). */
  equity(run: RunView, since: number, maxPoints: number): { ts: number; equity: number; drawdown: number; margin: number }[] {
    const n = (this.ledger.db.prepare('SELECT COUNT(*) AS n FROM equity WHERE run_id = ? AND ts >= ?').get(run.id, since) as { n: number }).n;
    const k = Math.max(1, Math.ceil(n / maxPoints));
    return this.ledger.db
      .prepare('SELECT ts, equity, drawdown, margin FROM equity WHERE run_id = ? AND ts >= ? AND (t % ? = 0 OR t = (SELECT MAX(t) FROM equity WHERE run_id = ?)) ORDER BY t')
      .all(run.id, since, k, run.id) as never;
  }

  /** Positions with their entry price and exit levels (null: none), and the funding each has settled so far. */
  positions(run: RunView): PositionView[] {
    const rows = this.ledger.db.prepare('SELECT asset, units, entry_price, stop, target, trailing, liquidation FROM positions WHERE run_id = ? ORDER BY asset').all(run.id) as {
      asset: number;
      units: number;
      entry_price: number | null;
      stop: number | null;
      target: number | null;
      trailing: number | null;
      liquidation: number | null;
    }[];
    const funding = new Map((this.ledger.db.prepare('SELECT asset, SUM(amount) AS s FROM funding WHERE run_id = ? GROUP BY asset').all(run.id) as { asset: number; s: number }[]).map((r) => [r.asset, r.s]));
    return rows.map((p) => {
      const last = this.ledger.db.prepare('SELECT close FROM bars WHERE run_id = ? AND asset = ? ORDER BY t DESC LIMIT 1').get(run.id, p.asset) as { close: number } | undefined;
      return {
        symbol: run.symbols[p.asset]!,
        units: p.units,
        price: last?.close ?? null,
        value: last ? p.units * last.close : null,
        entryPrice: p.entry_price,
        stop: p.stop,
        target: p.target,
        trailing: p.trailing,
        liquidation: p.liquidation,
        funding: funding.get(p.asset) ?? 0,
      };
    });
  }

  orders(run: RunView, limit: number): { id: number; ts: number; symbol: string; qty: number; reason: string }[] {
    const rows = this.ledger.db.prepare('SELECT id, ts, asset, qty, reason FROM orders WHERE run_id = ? ORDER BY id DESC LIMIT ?').all(run.id, limit) as { id: number; ts: number; asset: number; qty: number; reason: string }[];
    return rows.map((o) => ({ id: o.id, ts: o.ts, symbol: run.symbols[o.asset]!, qty: o.qty, reason: o.reason }));
  }

  /** Fills, newest first; `asset` restricts to one symbol; each names its decision (the bar before the fill). */
  fills(run: RunView, limit: number, asset?: number): { id: number; ts: number; symbol: string; qty: number; price: number; fee: number; reason: string; decision: number | null }[] {
    // the decision behind a fill is the one recorded at the bar before it (orders fill at the next open)
    const rows = this.ledger.db
      .prepare(
        'SELECT f.id, f.ts, f.asset, f.qty, f.price, f.fee, f.reason, d.t AS decision FROM fills f LEFT JOIN decisions d ON d.run_id = f.run_id AND d.t = f.t - 1 ' +
          'WHERE f.run_id = ? AND (? IS NULL OR f.asset = ?) ORDER BY f.id DESC LIMIT ?',
      )
      .all(run.id, asset ?? null, asset ?? null, limit) as { id: number; ts: number; asset: number; qty: number; price: number; fee: number; reason: string; decision: number | null }[];
    return rows.map((f) => ({ id: f.id, ts: f.ts, symbol: run.symbols[f.asset]!, qty: f.qty, price: f.price, fee: f.fee, reason: f.reason, decision: f.reason === 'signal' ? f.decision : null }));
  }

  /**
   * Expert exposures and weights (mean over the ordered assets) at each decision since `since`: the last `limit`
   * decisions, or with `maxPoints` every k-th decision over the whole span and the last (as `equity` downsamples), so
   * that a chart of them covers the run the equity chart covers.
   */
  weights(run: RunView, since: number, limit: number, maxPoints?: number): { ts: number; weights: Record<string, number>; exposures: Record<string, number>; regime: Record<string, number> | null }[] {
    const db = this.ledger.db;
    let rows: { ts: number; record: string }[];
    if (maxPoints === undefined) rows = db.prepare('SELECT ts, record FROM (SELECT ts, t, record FROM decisions WHERE run_id = ? AND ts >= ? ORDER BY t DESC LIMIT ?) ORDER BY t').all(run.id, since, limit) as never;
    else {
      // one statement (a daemon may write a decision meanwhile): the decisions from the first at or after `since`,
      // numbered on the (run_id, t) key alone (their records are ~0.7 KB each: not read), every ceil(n / maxPoints)-th
      // kept and the last, then only those records read
      rows = db
        .prepare(
          `SELECT d.ts, d.record FROM (
             SELECT t FROM (
               SELECT t, ROW_NUMBER() OVER (ORDER BY t) - 1 AS k, COUNT(*) OVER () AS n FROM decisions
               WHERE run_id = ? AND t >= COALESCE((SELECT t FROM decisions WHERE run_id = ? AND ts >= ? ORDER BY t LIMIT 1), 9e18)
             )
             WHERE k % ((n + ? - 1) / ?) = 0 OR k = n - 1
           ) AS picked JOIN decisions d ON d.run_id = ? AND d.t = picked.t ORDER BY d.t`,
        )
        .all(run.id, run.id, since, maxPoints, maxPoints, run.id) as never;
    }
    return rows.map((r) => {
      const rec = JSON.parse(r.record) as { assets: { weights: Record<string, number>; exposures: Record<string, number>; regime?: Record<string, number> }[] };
      // the experts as the record names them (the built-in ones, then the user's)
      const names = rec.assets.length > 0 ? Object.keys(rec.assets[0]!.weights) : EXPERT_NAMES;
      const mean = (key: 'weights' | 'exposures') => Object.fromEntries(names.map((e) => [e, rec.assets.reduce((s, a) => s + (a[key][e] ?? 0), 0) / Math.max(1, rec.assets.length)]));
      const withRegime = rec.assets.filter((a) => a.regime !== undefined);
      const regime = withRegime.length === 0 ? null : Object.fromEntries(REGIMES.map((k) => [k, withRegime.reduce((s, a) => s + (a.regime![k] ?? 0), 0) / withRegime.length]));
      return { ts: r.ts, weights: mean('weights'), exposures: mean('exposures'), regime };
    });
  }

  /** The decision recorded at bar t (undefined: no order at that bar), and the contest's adopted agents then. */
  decision(run: RunView, t: number): (DecisionRecord & { contest: { agent: string; weight: number }[] }) | undefined {
    const row = this.ledger.db.prepare('SELECT t, ts, record FROM decisions WHERE run_id = ? AND t = ?').get(run.id, t) as { t: number; ts: number; record: string } | undefined;
    if (row === undefined) return undefined;
    const rec = JSON.parse(row.record) as { assets: DecisionRecord['assets'] };
    const scores = this.ledger.db.prepare('SELECT agent, weight FROM contest_scores WHERE run_id = ? AND ts <= ? AND adopted = 1 AND ts = (SELECT MAX(ts) FROM contest_windows WHERE run_id = ? AND ts <= ?)').all(run.id, row.ts, run.id, row.ts) as { agent: number; weight: number }[];
    const names = new Map((this.ledger.db.prepare('SELECT agent, name FROM contest_agents WHERE run_id = ?').all(run.id) as { agent: number; name: string }[]).map((a) => [a.agent, a.name]));
    return { t: row.t, ts: row.ts, assets: rec.assets, contest: scores.map((s) => ({ agent: names.get(s.agent) ?? String(s.agent), weight: s.weight })) };
  }

  /** Bars [t0, t1) of every asset as a panel (for drawing a decision's chart). */
  panel(run: RunView, t0: number, t1: number): BarPanel | undefined {
    const rows = this.ledger.db.prepare('SELECT t, ts, asset, open, high, low, close, volume FROM bars WHERE run_id = ? AND t >= ? AND t < ? ORDER BY t, asset').all(run.id, t0, t1) as { t: number; ts: number; asset: number; open: number; high: number; low: number; close: number; volume: number }[];
    const times = [...new Set(rows.map((r) => r.ts))];
    if (times.length === 0) return undefined;
    const p = new BarPanel(run.symbols, run.timeframe, Float64Array.from(times));
    const index = new Map(times.map((ts, i) => [ts, i]));
    const A = run.symbols.length;
    for (const r of rows) {
      const i = index.get(r.ts)! * A + r.asset;
      p.open[i] = r.open;
      p.high[i] = r.high;
      p.low[i] = r.low;
      p.close[i] = r.close;
      p.volume[i] = r.volume;
      p.present[i] = 1;
    }
    return p;
  }

  contest(run: RunView, last: number) {
    const has = this.ledger.db.prepare('SELECT 1 AS x FROM contest_agents WHERE run_id = ? LIMIT 1').get(run.id);
    if (!has) return { enabled: false, frames: [] };
    const lb = readLeaderboard(this.ledger, run.id);
    // the ten best predicted, and every adopted agent wherever it ranks (the benchmark held is often far down)
    return {
      enabled: true,
      agents: lb.agents.length,
      frames: lb.frames.slice(-last).map((f) => ({ ts: f.ts, cash: f.cash, withheld: f.withheld, recordT: f.recordT, leaders: f.entries.filter((e, i) => i < 10 || e.adopted) })),
    };
  }

  features(run: RunView, limit: number): { ts: number; reason: string; detail: string; features: string[]; weights: number[] }[] {
    const rows = this.ledger.db.prepare('SELECT ts, reason, detail, features, weights FROM feature_selections WHERE run_id = ? ORDER BY ts DESC LIMIT ?').all(run.id, limit) as { ts: number; reason: string; detail: string; features: string; weights: string }[];
    return rows.map((r) => ({ ts: r.ts, reason: r.reason, detail: r.detail, features: JSON.parse(r.features) as string[], weights: JSON.parse(r.weights) as number[] }));
  }

  /** The stream's messages for steps [from, to]: each bar time's candles, equity, fills and decision. */
  steps(run: RunView, from: number, to: number): StreamStep[] {
    const db = this.ledger.db;
    const eq = db.prepare('SELECT t, ts, equity, drawdown, margin FROM equity WHERE run_id = ? AND t BETWEEN ? AND ? ORDER BY t').all(run.id, from, to) as { t: number; ts: number; equity: number; drawdown: number; margin: number }[];
    const bars = db.prepare('SELECT t, asset, open, high, low, close FROM bars WHERE run_id = ? AND t BETWEEN ? AND ?').all(run.id, from, to) as { t: number; asset: number; open: number; high: number; low: number; close: number }[];
    const fills = db.prepare('SELECT t, asset, qty, price, reason FROM fills WHERE run_id = ? AND t BETWEEN ? AND ?').all(run.id, from, to) as { t: number; asset: number; qty: number; price: number; reason: string }[];
    const decisions = new Set((db.prepare('SELECT t FROM decisions WHERE run_id = ? AND t BETWEEN ? AND ?').all(run.id, from, to) as { t: number }[]).map((d) => d.t));
    const byT = new Map<number, StreamStep>(eq.map((e) => [e.t, { type: 'step', t: e.t, ts: e.ts, equity: e.equity, drawdown: e.drawdown, margin: e.margin, bars: {}, fills: [], decision: decisions.has(e.t) ? e.t : null }]));
    for (const b of bars) {
      const step = byT.get(b.t);
      if (step) step.bars[run.symbols[b.asset]!] = [b.open, b.high, b.low, b.close];
    }
    for (const f of fills) byT.get(f.t)?.fills.push({ symbol: run.symbols[f.asset]!, qty: f.qty, price: f.price, reason: f.reason });
    return [...byT.values()];
  }

  /** The newest step's row id, for the live stream to tell what is new. */
  lastStep(run: RunView): number {
    return (this.ledger.db.prepare('SELECT COALESCE(MAX(t), -1) AS n FROM equity WHERE run_id = ?').get(run.id) as { n: number }).n;
  }
}

/** One step as the dashboard's live stream sends it. */
export interface StreamStep {
  readonly type: 'step';
  readonly t: number;
  readonly ts: number;
  readonly equity: number;
  readonly drawdown: number;
  /** initial margin used / equity (perpetuals; 0 on spot) */
  readonly margin: number;
  readonly bars: Record<string, [number, number, number, number]>;
  readonly fills: { symbol: string; qty: number; price: number; reason: string }[];
  readonly decision: number | null;
}

/** A position as the ledger holds it: units, last close, value, entry and exit levels (null: none), funding settled (all its history). */
export interface PositionView {
  readonly symbol: string;
  readonly units: number;
  readonly price: number | null;
  readonly value: number | null;
  readonly entryPrice: number | null;
  readonly stop: number | null;
  readonly target: number | null;
  readonly trailing: number | null;
  readonly liquidation: number | null;
  readonly funding: number;
}

export interface LedgerSummary {
  readonly run: number;
  /** the run's uid, as its Kafka outputs carry it */
  readonly runUid: string;
  readonly status: string;
  readonly orders: number;
  readonly fills: number;
  readonly finalEquity: number | null;
  /** open time of the last bar stepped, ISO (null before the first) */
  readonly lastTs: string | null;
  readonly bars: number;
  readonly resumes: number;
  readonly events: number;
  /** net funding cash flow, quote currency (negative: paid) */
  readonly funding: number;
  /** positions liquidated */
  readonly liquidations: number;
  /** positions closed, by what closed them (signal, stop, target, trailing, time, kill, liquidation) */
  readonly exitsByReason: Record<ExitReason, number>;
  /**
   * live and Kafka runs: how long after its close each stepped bar reached the daemon (tsRecv - (ts + bar length)),
   * seconds, over the steps that recorded it; null for replays (their bars are history) and runs without any
   */
  readonly receiveLag: { readonly steps: number; readonly p50S: number; readonly p99S: number; readonly maxS: number } | null;
}

/** `arena ledger summary`: the latest paper run (or the one given). */
export function ledgerSummary(ledger: Ledger, runId?: number): LedgerSummary {
  const db = ledger.db;
  const run = (
    runId === undefined
      ? db.prepare('SELECT p.run_id, p.status, p.resumes, r.source, r.timeframe FROM paper_runs p JOIN runs r ON r.id = p.run_id ORDER BY p.run_id DESC LIMIT 1').get()
      : db.prepare('SELECT p.run_id, p.status, p.resumes, r.source, r.timeframe FROM paper_runs p JOIN runs r ON r.id = p.run_id WHERE p.run_id = ?').get(runId)
  ) as { run_id: number; status: string; resumes: number; source: string; timeframe: Timeframe } | undefined;
  if (run === undefined) throw new Error(runId === undefined ? `the ledger ${ledger.path} holds no paper run` : `the ledger ${ledger.path} has no paper run ${runId}`);
  const id = run.run_id;
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(id) as { n: number }).n;
  const last = db.prepare('SELECT ts, equity FROM equity WHERE run_id = ? ORDER BY t DESC LIMIT 1').get(id) as { ts: number; equity: number } | undefined;
  const bars = (db.prepare('SELECT COUNT(DISTINCT t) AS n FROM bars WHERE run_id = ?').get(id) as { n: number }).n;
  const funding = (db.prepare('SELECT COALESCE(SUM(amount), 0) AS s FROM funding WHERE run_id = ?').get(id) as { s: number }).s;
  const exitsByReason = Object.fromEntries(EXIT_REASONS.map((r) => [r, 0])) as Record<ExitReason, number>;
  for (const r of db.prepare('SELECT reason, COUNT(*) AS n FROM fills WHERE run_id = ? AND closed = 1 GROUP BY reason').all(id) as { reason: ExitReason; n: number }[]) exitsByReason[r.reason] = r.n;
  return {
    run: id,
    runUid: ledger.runUid(id),
    status: run.status,
    orders: count('orders'),
    fills: count('fills'),
    finalEquity: last?.equity ?? null,
    lastTs: last ? new Date(last.ts).toISOString() : null,
    bars,
    resumes: run.resumes,
    events: count('events'),
    funding,
    liquidations: exitsByReason.liquidation,
    exitsByReason,
    receiveLag: run.source.startsWith('replay') ? null : receiveLag(ledger, id, timeframeMs(run.timeframe)),
  };
}

/** Percentiles of the steps' receive lag behind their bars' close (seconds), or null when none recorded it. */
function receiveLag(ledger: Ledger, runId: number, barMs: number): LedgerSummary['receiveLag'] {
  const lags = (ledger.db.prepare('SELECT ts_recv - (ts + ?) AS lag FROM equity WHERE run_id = ? AND ts_recv IS NOT NULL ORDER BY lag').all(barMs, runId) as { lag: number }[]).map((r) => r.lag / 1000);
  if (lags.length === 0) return null;
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
  return { steps: lags.length, p50S: at(0.5), p99S: at(0.99), maxS: lags[lags.length - 1]! };
}
