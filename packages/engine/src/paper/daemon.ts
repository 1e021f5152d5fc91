/**
 * The paper daemon's loop: rebuild the state from the ledger's bars and controls (a restart), then for every bar
 * time from the source: step the pipeline, write the step and its source offset in one transaction, update the
 * metrics, and give the event loop a turn, so health checks, metrics, the dashboard and signals are answered while
 * a backlog is caught up. A stop request (SIGINT/SIGTERM) is honoured between steps, so a step is always whole.
 */
import type { BarRow } from './growingPanel.ts';
import type { PaperMetrics } from './prometheus.ts';
import type { Pipeline, StepResult } from '../pipeline/pipeline.ts';
import type { PaperStore } from './store.ts';
import type { ControlInbox } from './controlInbox.ts';

export interface SourceOffset {
  readonly source: string;
  readonly part: number;
  readonly position: string;
  /** the highest message offset seen when the step's bar was handed over (Kafka; a restart tells redeliveries from late bars) */
  readonly seen?: string;
}

export interface SourceBar {
  readonly ts: number;
  /** when the bar reached the daemon (ms); the lag is tsRecv - (ts + bar length) */
  readonly tsRecv?: number;
  readonly row: BarRow;
  /** where this bar came from (per partition, for a partitioned source); stored with the step */
  readonly offset: SourceOffset | readonly SourceOffset[];
  /**
   * called once what the bar produced (its step, or its rejection) is written into the ledger's open transaction, not
   * yet committed: a partitioned source lets the positions recorded with the next steps move past this bar
   */
  readonly written?: () => void;
  /** called once the transaction holding the bar's step has committed, in bar order, e.g. to commit a Kafka offset */
  readonly ack?: () => Promise<void> | void;
}

/** ms of stepping after which the loop lets the event loop run (health checks wait at most this plus one step) */
const YIELD_MS = 2;

/** Lets timers, I/O and signal handlers run between two steps (a step never yields inside). */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Replays the ledger's bars through a fresh pipeline, with the operator controls at the bars they applied at;
 * checks the rebuilt equity against the stored one. Yields between bars (the servers answer during a rebuild).
 */
export async function rebuild(pipeline: Pipeline, store: PaperStore, stopping: () => boolean = () => false): Promise<{ bars: number; lastTs: number | undefined }> {
  const bars = store.bars(pipeline.nAssets);
  const controls = store.controls();
  // the contest's record of these bars is in the ledger already
  const sink = pipeline.contest?.sink;
  if (pipeline.contest) pipeline.contest.sink = undefined;
  let last: { t: number; equity: number } | undefined;
  let lastTurn = performance.now();
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    for (const c of controls.get(i) ?? []) pipeline.control(c);
    const r = await pipeline.step(b.ts, b.row);
    last = { t: r.t, equity: r.equity };
    // the event loop gets a turn every YIELD_MS of stepping, as in the step loop (a bar of the full pipeline can take
    // milliseconds, so a fixed count of bars between turns could hold the servers for tens of them)
    if (performance.now() - lastTurn >= YIELD_MS) {
      await turn();
      lastTurn = performance.now();
      if (stopping()) throw new Error(`stopped while rebuilding run ${store.runId} (${i + 1} of ${bars.length} bars); the ledger is unchanged`);
    }
  }
  if (pipeline.contest) pipeline.contest.sink = sink;
  const stored = store.lastEquity();
  if (stored !== undefined && (last === undefined || last.t !== stored.t || Math.abs(last.equity - stored.equity) > 1e-6 * Math.max(1, Math.abs(stored.equity)))) {
    throw new Error(`rebuilding run ${store.runId} from its ${bars.length} bars gave equity ${last?.equity} at row ${last?.t}, the ledger says ${stored.equity} at row ${stored.t}: the config or the code changed since; start a new run (another --db)`);
  }
  return { bars: bars.length, lastTs: bars.length > 0 ? bars[bars.length - 1]!.ts : undefined };
}

export interface DaemonLoop {
  readonly pipeline: Pipeline;
  readonly store: PaperStore;
  readonly metrics: PaperMetrics;
  readonly source: AsyncIterable<SourceBar>;
  /** true once a stop was requested */
  readonly stopping: () => boolean;
  readonly log: (s: string, fields?: Record<string, unknown>) => void;
  /** after each step is in the ledger (e.g. publish its fills) */
  readonly onStep?: (step: StepResult) => Promise<void> | void;
  /** the bar length, for the lag in the progress log */
  readonly barMs?: number;
  /** ms between progress lines (bars/s, lag); default 10 s */
  readonly progressMs?: number;
  /** told when each step begins and ends (a step that never returns is then caught off this thread) */
  readonly watchdog?: { begin(ts: number): void; end(): void };
  /** operator control requests: written between transactions, marked applied with the step that applies them */
  readonly controls?: ControlInbox;
}

/**
 * Steps a transaction may hold while the next bar is already waiting (catching up a backlog, a max-speed replay):
 * at most this many, and at most GROUP_MS of them. A bar that is not waiting when the step is done commits at
 * once, so a live daemon commits every bar as before.
 */
const GROUP_STEPS = 256;
const GROUP_MS = 25;

/** Microtask turns a waiting bar takes to come out of an async-generator source (a few); more means not waiting. */
const READY_TURNS = 16;

/**
 * Whether the iterator's next result settles within READY_TURNS microtask turns: a bar already waiting in the
 * source does; one that needs I/O or a timer does not. No macrotask is spent (a setImmediate per bar cost more than
 * the commits it saved).
 */
async function settlesNow(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let k = 0; k < READY_TURNS && !settled; k++) await undefined;
  return settled;
}

/**
 * Runs until the source ends or a stop is requested; returns why it ended.
 *
 * Group commit: each step is its own savepoint inside a transaction that commits when the next bar is not already
 * waiting, after GROUP_STEPS steps or GROUP_MS, and before the loop returns or throws. A bar's ack (its Kafka
 * offset) and onStep (its fills published) run only after the transaction holding its step has committed, in bar
 * order, so nothing leaves the daemon before the ledger has it. A step that throws rolls back its own savepoint only;
 * the steps before it are committed, then the error goes on.
 */
export async function runLoop(d: DaemonLoop): Promise<'end' | 'stopped'> {
  const { pipeline, store, metrics } = d;
  const every = d.progressMs ?? 10_000;
  let lastLog = performance.now();
  let lastSteps = metrics.steps;
  let lastTurn = performance.now();
  /** steps in the open transaction, when it began, and what each step still owes (in bar order) */
  let open = 0;
  let openedAt = 0;
  const owed: { bar: SourceBar; step: StepResult | undefined }[] = [];
  const flush = async () => {
    if (open > 0) {
      store.commit();
      open = 0;
    }
    // control requests that came during the transaction: committed now, applied by the next step
    d.controls?.drain();
    // a rejection's ack (no step) is owed too, to keep the order of the offsets; what was paid leaves the list as it
    // goes, so a throw (a publish that fails) leaves only the rest owed for the final flush: no step published twice
    let paid = 0;
    try {
      for (; paid < owed.length; paid++) {
        const o = owed[paid]!;
        await o.bar.ack?.();
        if (o.step !== undefined) await d.onStep?.(o.step);
      }
    } finally {
      owed.splice(0, paid);
    }
  };
  const it = d.source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const pending = it.next();
      if (open > 0 || owed.length > 0) {
        // the next bar not there yet: what is stepped goes to the ledger before the wait
        if (!(await settlesNow(pending))) await flush();
      }
      const next = await pending;
      if (next.done) break;
      // a bar that arrives after a stop was asked for is not stepped (nor acknowledged: a restart gets it again)
      if (d.stopping()) return 'stopped';
      const bar = next.value;
      const started = performance.now();
      metrics.eventsIn++;
      const history = pipeline.history;
      const lastTs = history.length > 0 ? history.panel.ts[history.length - 1] : undefined;
      if (lastTs !== undefined && !(bar.ts > lastTs)) {
        metrics.reject('not after the last bar');
        const where = [bar.offset].flat().map((o) => `${o.source}:${o.part}:${o.position}`).join(',');
        store.event('rejected', `${where}: bar time ${new Date(bar.ts).toISOString()} is not after the last stepped ${new Date(lastTs).toISOString()}`, bar.ts);
        bar.written?.();
        owed.push({ bar, step: undefined });
        continue;
      }
      // one savepoint for everything the step writes (the contest's record during the step, then the books)
      if (open === 0) {
        store.begin();
        openedAt = started;
      }
      store.savepoint();
      let step: StepResult;
      try {
        d.watchdog?.begin(bar.ts);
        step = await pipeline.step(bar.ts, bar.row);
        d.watchdog?.end();
        store.writeStep(step, bar.row, pipeline.book.broker, bar.offset, bar.tsRecv);
        d.controls?.applied(step);
        store.release();
        bar.written?.();
      } catch (e) {
        d.watchdog?.end();
        store.rollbackToSavepoint();
        throw e;
      }
      open++;
      owed.push({ bar, step });
      if (step.halted !== undefined) d.log(step.halted);
      for (const f of step.expertFaults ?? []) {
        metrics.expertsDisabled++;
        d.log(`expert disabled at ${new Date(step.ts).toISOString()}: ${f.reason}`, { event: 'expert_disabled' });
      }
      metrics.steps++;
      metrics.equity = step.equity;
      metrics.drawdown = step.drawdown;
      metrics.paused = step.paused ? 1 : 0;
      metrics.lastTs = step.ts;
      metrics.observeStep(performance.now() - started);
      const now = performance.now();
      if (open >= GROUP_STEPS || now - openedAt >= GROUP_MS) await flush();
      if (now - lastLog >= every) {
        const rate = ((metrics.steps - lastSteps) * 1000) / (now - lastLog);
        const lagS = d.barMs === undefined ? undefined : (Date.now() - (step.ts + d.barMs)) / 1000;
        d.log(`progress: ${metrics.steps} bars, ${rate.toFixed(0)} bars/s, last bar ${new Date(step.ts).toISOString()}${lagS === undefined ? '' : `, ${lagS.toFixed(0)} s behind the wall clock`}, equity ${step.equity.toFixed(2)}`, { event: 'progress', steps: metrics.steps, barsPerSec: Math.round(rate), ...(lagS === undefined ? {} : { lagS: Math.round(lagS) }) });
        lastLog = now;
        lastSteps = metrics.steps;
      }
      if (d.stopping()) return 'stopped';
      // the event loop gets a turn at least every YIELD_MS of stepping (a step never yields inside)
      if (performance.now() - lastTurn >= YIELD_MS) {
        await turn();
        lastTurn = performance.now();
        if (d.stopping()) return 'stopped';
      }
    }
    return 'end';
  } finally {
    // the steps done so far are whole: they go to the ledger (and their acks out) whatever ended the loop
    await flush();
  }
}
