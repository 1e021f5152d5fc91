/**
 * The paper daemon's loop: rebuild the state from the ledger's bars (a restart), then for every bar time from the
 * source: step the pipeline, write the step and its source offset in one transaction, update the metrics. A stop
 * request (SIGINT/SIGTERM) is honoured between steps, so a step is always whole.
 */
import type { BarRow } from './growingPanel.ts';
import type { PaperMetrics } from './prometheus.ts';
import type { PaperPipeline, StepResult } from './pipeline.ts';
import type { PaperStore } from './store.ts';

export interface SourceBar {
  readonly ts: number;
  readonly row: BarRow;
  /** where this bar came from; stored with the step */
  readonly offset: { readonly source: string; readonly part: number; readonly position: string };
  /** called once the step (and its ledger transaction) is done, e.g. to commit a Kafka offset */
  readonly ack?: () => Promise<void> | void;
}

/** Replays the ledger's bars through a fresh pipeline; checks the rebuilt equity against the stored one. */
export async function rebuild(pipeline: PaperPipeline, store: PaperStore): Promise<{ bars: number; lastTs: number | undefined }> {
  const bars = store.bars(pipeline.nAssets);
  // the contest's record of these bars is in the ledger already
  const sink = pipeline.contest?.sink;
  if (pipeline.contest) pipeline.contest.sink = undefined;
  let last: { t: number; equity: number } | undefined;
  for (const b of bars) {
    const r = await pipeline.step(b.ts, b.row);
    last = { t: r.t, equity: r.equity };
  }
  if (pipeline.contest) pipeline.contest.sink = sink;
  const stored = store.lastEquity();
  if (stored !== undefined && (last === undefined || last.t !== stored.t || Math.abs(last.equity - stored.equity) > 1e-6 * Math.max(1, Math.abs(stored.equity)))) {
    throw new Error(`rebuilding run ${store.runId} from its ${bars.length} bars gave equity ${last?.equity} at row ${last?.t}, the ledger says ${stored.equity} at row ${stored.t}: the config or the code changed since; start a new run (another --db)`);
  }
  return { bars: bars.length, lastTs: bars.length > 0 ? bars[bars.length - 1]!.ts : undefined };
}

export interface DaemonLoop {
  readonly pipeline: PaperPipeline;
  readonly store: PaperStore;
  readonly metrics: PaperMetrics;
  readonly source: AsyncIterable<SourceBar>;
  /** true once a stop was requested */
  readonly stopping: () => boolean;
  readonly log: (s: string) => void;
  /** after each step is in the ledger (e.g. publish its fills) */
  readonly onStep?: (step: StepResult) => Promise<void> | void;
}

/** Runs until the source ends or a stop is requested; returns why it ended. */
export async function runLoop(d: DaemonLoop): Promise<'end' | 'stopped'> {
  const { pipeline, store, metrics } = d;
  for await (const bar of d.source) {
    const started = performance.now();
    metrics.eventsIn++;
    const lastTs = pipeline.grid.lastTs;
    if (lastTs !== undefined && !(bar.ts > lastTs)) {
      metrics.reject('not after the last bar');
      store.event('rejected', `${bar.offset.source}:${bar.offset.part}:${bar.offset.position}: bar time ${new Date(bar.ts).toISOString()} is not after the last stepped ${new Date(lastTs).toISOString()}`, bar.ts);
      await bar.ack?.();
      continue;
    }
    // one transaction for everything the step writes (the contest's record during the step, then the books)
    let step: StepResult;
    store.begin();
    try {
      step = await pipeline.step(bar.ts, bar.row);
      store.writeStep(step, bar.row, pipeline.broker.cash, pipeline.broker.units, bar.offset);
      store.commit();
    } catch (e) {
      store.rollback();
      throw e;
    }
    await bar.ack?.();
    await d.onStep?.(step);
    if (step.halted !== undefined) d.log(step.halted);
    metrics.steps++;
    metrics.equity = step.equity;
    metrics.drawdown = step.drawdown;
    metrics.paused = step.paused ? 1 : 0;
    metrics.lastTs = step.ts;
    metrics.observeStep(performance.now() - started);
    if (d.stopping()) return 'stopped';
  }
  return 'end';
}
