/**
 * paper: the daemon's throughput and latency. Events per second (bar messages) through the embedded replay and
 * through Kafka (librdkafka's mock cluster on loopback) into the pipeline and the ledger; step latency p50/p99 for
 * 10 and 100 assets with the full pipeline (router.mode model) and the contest (rule experts, the learned expert and the router
 * stepped bar by bar, selections in a worker beside the loop, 32 agents), ledger transaction included; the
 * ledger's write cost per step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArenaConfig, BACKGROUND_NICE, type BarPanel, lowerOtherThreads, parseConfig } from '@arena/core';
import { ContestLedger, Ledger, PaperMetrics, PaperStore, daemonPipeline, loadModels, runLoop } from '@arena/engine';
import { WorkerSelection } from '@arena/features';
import { feedKafka, generateSyntheticMarket, replayPanel, threadedKafkaSource } from '@arena/streams';
import { MockCluster, mockClusterUnavailable } from '../test/kafka/mockCluster.ts';
import { type Bench, quantile, sized } from './harness.ts';

const RULES = parseConfig({ experts: { weights: { trend: 0.4, breakout: 0.3, positioning: 0.3 } }, router: { mode: 'static' } });

function withLedger<T>(fn: (ledger: Ledger) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'arena-paper-bench-'));
  const ledger = Ledger.open(join(dir, 'ledger.db'));
  // as the daemon: WAL checkpoints in their own thread
  ledger.checkpointInBackground();
  return fn(ledger).finally(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

function open(ledger: Ledger, panel: BarPanel, config: ArenaConfig): PaperStore {
  const { run } = PaperStore.openRun(ledger, { source: 'bench', symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config });
  return new PaperStore(ledger, run.runId);
}

/** Replay through pipeline + ledger: bar messages per second, and the ledger's share per step. */
async function replayRate(assets: number, bars: number): Promise<{ eventsPerSec: number; ledgerMsPerStep: number }> {
  const { panel } = generateSyntheticMarket({ seed: 1, assets, bars, timeframe: '1h' });
  return withLedger(async (ledger) => {
    const store = open(ledger, panel, RULES);
    // the ledger's part of a step: its rows (a savepoint in the step's transaction) and the commit
    let ledgerMs = 0;
    const write = store.writeStep.bind(store);
    const commit = store.commit.bind(store);
    const timed = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
      const t0 = performance.now();
      fn(...a);
      ledgerMs += performance.now() - t0;
    };
    store.writeStep = timed(write);
    store.commit = timed(commit);
    const pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: RULES, periodsPerYear: panel.periodsPerYear() });
    const metrics = new PaperMetrics('none', 'replay');
    const started = performance.now();
    await runLoop({ pipeline, store, metrics, source: replayPanel(panel, { speed: 'max' }), stopping: () => false, log: () => undefined });
    const s = (performance.now() - started) / 1000;
    return { eventsPerSec: (assets * bars) / s, ledgerMsPerStep: ledgerMs / bars };
  });
}

/** Full pipeline step latency (models on the runtime), p50/p99 over the bars after a warm-up. */
async function fullStep(assets: number, bars: number, warm: number): Promise<{ p50: number; p99: number; waitP99: number; waits: number }> {
  const config = parseConfig({ router: { mode: 'model' }, contest: { enabled: true } });
  const { panel } = generateSyntheticMarket({ seed: 2, assets, bars, timeframe: '1h' });
  const models = await loadModels(config, () => undefined);
  // selections in a worker, as in the daemon: a step's own work is timed; the wait for a selection still running
  // (which a live bar's interval hides, and a max-speed replay does not) is reported apart
  const runner = new WorkerSelection();
  return withLedger(async (ledger) => {
    const store = open(ledger, panel, config);
    const contestSink = new ContestLedger(ledger, store.runId, 0);
    const pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config, periodsPerYear: panel.periodsPerYear(), models, contestSink, runner });
    const ms: number[] = [];
    const waits: number[] = [];
    let t = 0;
    for await (const bar of replayPanel(panel, { speed: 'max' })) {
      const t0 = performance.now();
      store.begin();
      const step = await pipeline.step(bar.ts, bar.row);
      store.writeStep(step, bar.row, pipeline.book.broker, bar.offset);
      store.commit();
      const waited = pipeline.parts.features?.waitedMs ?? 0;
      // as the daemon's re-application every 10 s: the threads started since run() (the workers among them) below the loop
      if (t === warm) lowerOtherThreads();
      if (t++ >= warm) {
        ms.push(performance.now() - t0 - waited);
        if (waited > 0) waits.push(waited);
      }
    }
    await runner.close();
    return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), waitP99: waits.length > 0 ? quantile(waits, 0.99) : 0, waits: waits.length };
  });
}

/**
 * Bar messages per second from Kafka into the pipeline and the ledger: a first pass with the consumer's JIT cold, then
 * the same topic read again by a new group (a daemon catching up a backlog runs warm after its first second).
 */
async function kafkaRate(assets: number, bars: number): Promise<{ cold: number; warm: number } | string> {
  const why = mockClusterUnavailable();
  if (why) return why;
  const cluster = await MockCluster.start(1);
  try {
    await cluster.createTopic('arena.md.bars.1h', 3);
    await cluster.createTopic('arena.md.rejected', 1);
    const { panel } = generateSyntheticMarket({ seed: 3, assets, bars, timeframe: '1h' });
    const brokers = cluster.bootstrap.split(',');
    await feedKafka(panel, { brokers, venue: 'arena', speed: 'max' });
    const pass = (groupId: string) =>
      withLedger(async (ledger) => {
        const store = open(ledger, panel, RULES);
        const pipeline = daemonPipeline({ symbols: panel.symbols, timeframe: panel.timeframe, config: RULES, periodsPerYear: panel.periodsPerYear() });
        const metrics = new PaperMetrics('none', 'kafka');
        let stop = false;
        // the daemon's source: the consumer on its own thread, kept at the loop's priority while the rest is lowered
        const keep = new Set<number>();
        const source = await threadedKafkaSource({ brokers, groupId, timeframe: '1h', symbols: panel.symbols, stopping: () => stop, flushMs: 60_000, onThread: (tid) => keep.add(tid) });
        lowerOtherThreads(BACKGROUND_NICE, keep);
        // timed from the first bar time handed over (the group join before it is not throughput)
        let started = 0;
        const timed = (async function* () {
          for await (const bar of source) {
            if (started === 0) started = performance.now();
            yield bar;
          }
        })();
        let done = 0;
        await runLoop({ pipeline, store, metrics, source: timed, stopping: () => (done = metrics.steps) >= bars - 1 || stop, log: () => undefined });
        stop = true;
        const s = (performance.now() - started) / 1000;
        await source.close();
        return (done * assets) / s;
      });
    const cold = await pass('bench-cold');
    const warm = await pass('bench');
    return { cold, warm };
  } finally {
    await cluster.stop();
  }
}

export const paperBench: Bench = {
  name: 'paper',
  description: 'daemon events/s through the replay and Kafka; full-pipeline step p50/p99 at 10 and 100 assets; ledger cost per step',
  async run() {
    // as the daemon: the loop's thread ahead of V8's and libuv's helpers and the workers (docs/paper.md)
    lowerOtherThreads();
    const replay = await replayRate(10, sized(5000, 400));
    process.stderr.write('paper: replay done\n');
    const kafka = await kafkaRate(10, sized(3000, 200));
    process.stderr.write('paper: kafka done\n');
    const s10 = await fullStep(10, sized(2000, 120), sized(300, 20));
    process.stderr.write('paper: 10 assets done\n');
    const s100 = await fullStep(sized(100, 20), sized(800, 120), sized(200, 20));
    const rows: [string, string, string][] = [
      ['replay -> pipeline -> ledger, 10 assets', replay.eventsPerSec.toFixed(0), 'bar messages/s'],
      ['kafka (mock cluster) -> pipeline -> ledger, 10 assets, warm (first pass cold)', typeof kafka === 'string' ? `n/a (${kafka})` : `${kafka.warm.toFixed(0)} (${kafka.cold.toFixed(0)})`, 'bar messages/s'],
      ['ledger write + commit per step, 10 assets', replay.ledgerMsPerStep.toFixed(3), 'ms'],
      ['full pipeline + contest step, 10 assets (p50 / p99)', `${s10.p50.toFixed(2)} / ${s10.p99.toFixed(1)}`, 'ms'],
      ['full pipeline + contest step, 100 assets (p50 / p99)', `${s100.p50.toFixed(2)} / ${s100.p99.toFixed(1)}`, 'ms'],
      ['waits for a selection still running at max speed, 10 / 100 assets (count, p99)', `${s10.waits}, ${s10.waitP99.toFixed(0)} / ${s100.waits}, ${s100.waitP99.toFixed(0)}`, 'ms'],
    ];
    return {
      rows,
      json: {
        replayEventsPerSec: Math.round(replay.eventsPerSec),
        kafkaEventsPerSec: typeof kafka === 'string' ? null : Math.round(kafka.warm),
        kafkaEventsPerSecCold: typeof kafka === 'string' ? null : Math.round(kafka.cold),
        ...(typeof kafka === 'string' ? { kafkaSkipped: kafka } : {}),
        stepP50Ms10: Number(s10.p50.toFixed(3)),
        stepP99Ms10: Number(s10.p99.toFixed(2)),
        stepP50Ms100: Number(s100.p50.toFixed(3)),
        stepP99Ms100: Number(s100.p99.toFixed(2)),
        ledgerMsPerStep10: Number(replay.ledgerMsPerStep.toFixed(4)),
        stepWaitsP99Ms: { '10': Math.round(s10.waitP99), '100': Math.round(s100.waitP99) },
        note: 'full pipeline (model router) + contest (32 agents) and its data team, every stage stepped bar by bar, ledger transaction included; selections in a worker as in the daemon; a step waiting at max speed for a selection still running has that wait reported apart (stepWaitsP99Ms): at a live bar interval it never waits',
      },
    };
  },
};
