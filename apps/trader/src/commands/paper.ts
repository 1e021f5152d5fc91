/**
 * `arena paper`: the paper-trading daemon on the embedded replay (data files or the synthetic market). It keeps
 * its books in the SQLite ledger, one transaction per step with the source offset, resumes an unfinished run from
 * the ledger after a crash, serves /healthz and /metrics, and stops cleanly on SIGINT/SIGTERM. No order ever goes
 * to an exchange.
 */
import { BACKGROUND_NICE, ERR, arenaError, expertNames, lowerOtherThreads, parseTimeframe, resolveDataDir, timeframeMs } from '@arena/core';
import { resolve } from 'node:path';
import { ContestLedger, ControlInbox, GrowingPanel, Ledger, type LedgerLock, PaperMetrics, PaperStore, type SourceBar, type StepResult, buildPipeline, loadMarket, loadModels, lockLedger, otherTimeframeModels, otherTimeframeWarning, rebuild, runLoop, startStepWatchdog, type StepWatchdog } from '@arena/engine';
import { WorkerSelection } from '@arena/features';
import { DECISIONS_TOPIC, FILLS_TOPIC, FundingSchedule, RUN_UID_HEADER, type KafkaBarStream, barsTopic, kafkaClient, liveSource, parseBrokers, parseSpeed, replayPanel, threadedKafkaSource } from '@arena/streams';
import { parseNumber } from '../configFile.ts';
import { Partitioners, type Producer } from 'kafkajs';
import { type BacktestFlags, configFromFlags } from './backtest.ts';
import { createDashboard } from '@arena/dashboard';
import { type LogFormat, createLog } from '../ops/log.ts';
import { startOpsServer } from '../ops/server.ts';
import { type Address, DEFAULT_OPS_ADDRESS, listenOn, parseAddress, sameAddress } from '../ops/address.ts';

/** With --source kafka --exit-at-end: how long the consumer stays idle, caught up, before the daemon exits, ms. */
const KAFKA_IDLE_EXIT_MS = 5000;

export interface PaperFlags extends Omit<BacktestFlags, 'baselines' | 'out'> {
  source: string;
  brokers?: string;
  group: string;
  exchange: string;
  exchangeUrl?: string;
  pollMs: string;
  logFormat: string;
  dashboard?: string;
  speed: string;
  exitAtEnd?: boolean;
  db: string;
  port?: string;
  stepTimeout: string;
}

export async function paperCommand(flags: PaperFlags): Promise<void> {
  if (!['auto', 'json', 'pretty'].includes(flags.logFormat)) throw arenaError(ERR.CLI_ARG, '--log-format', `${flags.logFormat} (auto, json or pretty)`);
  const log = createLog(flags.logFormat as LogFormat, { service: 'arena-paper', source: flags.source });
  const kafka = flags.source === 'kafka';
  const live = flags.source === 'live';
  if (live && (flags.symbols === undefined || flags.timeframe === undefined)) throw arenaError(ERR.CLI_ARG, '--source live', 'needs --symbols and --timeframe (e.g. --symbols BTC/USDT,ETH/USDT --timeframe 1h)');
  // the Kafka client's lines at their level: its warnings and errors, failed commits and crashes as warnings
  const kafkaLog = (s: string, level?: 'warn') => (level === 'warn' ? log.warn(s) : log(s));
  const pollMs = parseNumber('--poll-ms', flags.pollMs);
  const stepTimeoutS = parseNumber('--step-timeout', flags.stepTimeout);
  if (!(stepTimeoutS === 0 || stepTimeoutS >= 1)) throw arenaError(ERR.CLI_ARG, '--step-timeout', `${flags.stepTimeout} (seconds, at least 1; 0 for none)`);
  if (!(pollMs >= 10)) throw arenaError(ERR.CLI_ARG, '--poll-ms', `${flags.pollMs} (at least 10)`);
  let brokers: string[] = [];
  if (kafka) {
    if (flags.brokers === undefined) throw arenaError(ERR.CLI_ARG, '--brokers', 'required with --source kafka (host:port[,host:port...])');
    if (flags.symbols === undefined || flags.timeframe === undefined) throw arenaError(ERR.CLI_ARG, '--source kafka', 'needs --symbols and --timeframe (the universe the daemon trades)');
    try {
      brokers = parseBrokers(flags.brokers);
    } catch (e) {
      throw arenaError(ERR.CLI_ARG, '--brokers', (e as Error).message);
    }
  }
  let speed: number | 'max';
  try {
    speed = parseSpeed(flags.speed);
  } catch (e) {
    throw arenaError(ERR.CLI_ARG, '--speed', (e as Error).message);
  }
  const dashboardAt = flags.dashboard === undefined ? undefined : parseAddress(flags.dashboard, '--dashboard');
  // with --dashboard, its server answers /healthz and /metrics too; a separate one only for a distinct --port
  const portAt = flags.port === undefined ? undefined : parseAddress(flags.port, '--port');
  const opsAt: Address | undefined = dashboardAt ? (portAt && !sameAddress(portAt, dashboardAt) ? portAt : undefined) : (portAt ?? DEFAULT_OPS_ADDRESS);
  const config = configFromFlags({ ...flags, baselines: false, out: '' });
  // before anything loads or the ledger opens: a run that could not step must leave nothing behind
  if (config.router.mode === 'vlm') throw arenaError(ERR.CONFIG, 'router.mode vlm: arena paper steps bar by bar and the VLM router decides over a whole panel only (arena backtest, arena eval); use --router model, the VLM\'s own fallback');
  // replay: the bars to replay; kafka: only the universe (symbols, timeframe) comes from the flags
  const market = kafka || live ? undefined : loadMarket(config, log);
  const symbols = market ? market.panel.symbols : flags.symbols!.split(',').map((x) => x.trim());
  const timeframe = market ? market.panel.timeframe : parseTimeframe(flags.timeframe!);
  // a stream does not say whether its market trades around the clock: 24/7 (crypto), as BarPanel.periodsPerYear finds for such data
  const periodsPerYear = market ? market.panel.periodsPerYear() : (365.25 * 86_400_000) / timeframeMs(timeframe);
  if (config.market.kind === 'perp' && market === undefined && config.market.fundingDir === undefined) {
    log(`perp on the ${flags.source} source without market.fundingDir: its bars carry no funding rates, so funding is not settled (margin, liquidation and exits apply; docs/orders.md)`);
  }
  const source = market ? `replay ${market.source}` : kafka ? `kafka ${brokers.join(',')} group ${flags.group}` : `live ${flags.exchange}${flags.exchangeUrl ? ` at ${flags.exchangeUrl}` : ''}`;
  // the models and the user's experts before the ledger: a broken module stops here, with nothing written
  const m = await loadModels(config, log, market?.funding);
  for (const o of otherTimeframeModels(m, { routing: m.router }, timeframe)) log.warn(otherTimeframeWarning(o, timeframe), { event: 'model_timeframe', model: o.model, fittedOn: o.fittedOn });
  let ledger: Ledger;
  let lock: LedgerLock;
  try {
    // one daemon per ledger: a second one on the same --db stops here, before it reads or writes anything
    lock = lockLedger(resolve(flags.db));
  } catch (e) {
    throw arenaError(ERR.LEDGER, (e as Error).message);
  }
  if (lock.previous !== undefined) log(`the ledger's previous daemon (pid ${lock.previous.pid ?? '?'}, since ${lock.previous.since ?? '?'}) ended without releasing it (a crash or SIGKILL); taken over`);
  try {
    ledger = Ledger.open(flags.db);
    // WAL checkpoints in a thread of their own, not in the commit of whichever step fills the WAL
    ledger.checkpointInBackground();
  } catch (e) {
    lock.release();
    throw arenaError(ERR.LEDGER, (e as Error).message);
  }
  let stop = false;
  const onSignal = (sig: string) => {
    if (!stop) log(`${sig}: finishing the current step, then stopping`, { signal: sig });
    stop = true;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    let opened;
    try {
      opened = PaperStore.openRun(ledger, { source, symbols, timeframe, periodsPerYear, config });
    } catch (e) {
      throw arenaError(ERR.LEDGER, (e as Error).message);
    }
    const { run, resumed } = opened;
    const contestSink = config.contest.enabled ? new ContestLedger(ledger, run.runId, 0) : undefined;
    const grid = new GrowingPanel(symbols, timeframe);
    // feature selections run in a worker thread beside the loop (each takes over at the bar after its decision)
    const selections = new WorkerSelection();
    const pipeline = buildPipeline({ config, symbols, timeframe, periodsPerYear, history: grid, models: m, hasFunding: market?.funding !== undefined, runner: selections, ...(contestSink ? { contestSink } : {}) });
    const store = new PaperStore(ledger, run.runId, expertNames(config));
    const metrics = new PaperMetrics(m.backend, flags.source);
    // the servers answer from here on, through a rebuild and a catch-up: the loop yields between bars
    let rebuilding = resumed;
    const health = () => ({ status: stop ? 'stopping' : rebuilding ? 'rebuilding' : 'ok', run: run.runId, runUid: run.runUid, steps: metrics.steps, lastTs: metrics.lastTs ? new Date(metrics.lastTs).toISOString() : null, equity: metrics.equity, paused: metrics.paused === 1 });
    const ops = { health, metrics: () => metrics.render() };
    /** the step loop has returned: a control would never be applied */
    let loopEnded = false;
    let watchdog: StepWatchdog | undefined;
    // a control is confirmed once it is committed to the ledger; the next step applies it (a restart, if none did)
    const inbox = new ControlInbox(pipeline, store);
    const controlled = async (kind: 'pause' | 'resume' | 'flatten'): Promise<string | undefined> => {
      if (rebuilding) return 'the daemon is rebuilding its books from the ledger after a restart; send it again once /healthz says ok';
      if (stop) return 'the daemon is stopping';
      if (loopEnded) return 'the run has ended: no bar will be stepped';
      try {
        await inbox.request(kind);
      } catch (e) {
        return (e as Error).message;
      }
      log(`operator ${kind} recorded in the ledger; it applies at the next bar`, { event: 'control', kind });
      return undefined;
    };
    const server = opsAt ? await listenOn(opsAt, '--port / --dashboard', () => startOpsServer(opsAt, ops.health, ops.metrics)) : undefined;
    if (server) log(`serving /healthz and /metrics on http://${server.host}:${server.port}`, { host: server.host, port: server.port });
    // the dashboard reads the ledger through its own read-only connection (WAL: it sees each committed step)
    const view = dashboardAt ? Ledger.open(ledger.path, { readOnly: true }) : undefined;
    const dash = dashboardAt
      ? await createDashboard({
          ledger: view!,
          mode: 'paper',
          backend: m.backend,
          ...(process.env['ARENA_DASHBOARD_TOKEN'] ? { token: process.env['ARENA_DASHBOARD_TOKEN'] } : {}),
          // controls are committed as requests, then the next step applies them and records them with its bar (a
          // restart replays them, and applies a request no step had); none while the books are rebuilt or once no step will come
          controls: {
            pause: () => controlled('pause'),
            resume: () => controlled('resume'),
            flatten: () => controlled('flatten'),
          },
          ...(server ? {} : { ops }),
        })
      : undefined;
    if (dash && dashboardAt) {
      try {
        await listenOn(dashboardAt, '--port / --dashboard', () => dash.listen({ host: dashboardAt.host, port: dashboardAt.port }));
      } catch (e) {
        await server?.close();
        await dash.close();
        view?.close();
        throw e;
      }
      const port = (dash.server.address() as { port: number }).port;
      log(`dashboard on http://${dashboardAt.host}:${port}${server ? '' : ' (with /healthz and /metrics)'}`, { dashboard: port });
    }
    /** a stream's rejected message or candle: counted, recorded with its reason (after `where`, when given), logged (the first 20, then every 1000th) */
    const rejectOf = (where?: string) => (kind: string, reason: string) => {
      metrics.reject(kind);
      store.event('rejected', where === undefined ? reason : `${where}: ${reason}`);
      if (metrics.rejectedTotal <= 20 || metrics.rejectedTotal % 1000 === 0) log.warn(`rejected (${metrics.rejectedTotal} so far) ${reason}`, { event: 'rejected', kind, rejected: metrics.rejectedTotal });
    };
    let after: number | undefined;
    let stream: KafkaBarStream | undefined;
    /** the fills and decisions go out through it (the consumer runs on its own thread, with its own producer) */
    let publisher: Producer | undefined;
    // the thread that steps the bars ahead of every other (V8's helpers, libuv's pool, the workers): a step is not
    // preempted for a scheduler slice when they wake; again every 10 s, for threads started since
    // (but the Kafka consumer's, which the loop waits on; none while it starts, before it says which it is)
    const keep = new Set<number>();
    let consumerStarting = false;
    lowerOtherThreads();
    const lowering = setInterval(() => consumerStarting || lowerOtherThreads(BACKGROUND_NICE, keep), 10_000).unref();
    try {
      if (resumed) {
        // /healthz during the rebuild: the books as the ledger left them, not zeros
        const stored = store.lastEquity();
        if (stored !== undefined) {
          metrics.equity = stored.equity;
          metrics.lastTs = stored.ts;
        }
        const t0 = performance.now();
        try {
          after = (await rebuild(pipeline, store, () => stop)).lastTs;
        } catch (e) {
          if (stop) {
            log(`stopped while rebuilding run ${run.runId}; its ledger is unchanged and resumes on the next start`);
            return;
          }
          throw arenaError(ERR.LEDGER, (e as Error).message);
        }
        // requests confirmed before the stop that no step applied: the first step now applies them
        const unapplied = inbox.resumeUnapplied();
        if (unapplied.length > 0) log(`${unapplied.length} operator control${unapplied.length === 1 ? '' : 's'} recorded before the restart and not yet applied (${unapplied.map((c) => c.kind).join(', ')}): applied at the next bar`, { event: 'control', kinds: unapplied.map((c) => c.kind) });
        rebuilding = false;
        log(`resumed paper run ${run.runId} (restart ${run.resumes}): rebuilt ${grid.length} bars from the ledger in ${(performance.now() - t0).toFixed(0)} ms; continuing after ${after === undefined ? 'the start' : new Date(after).toISOString()}`, { run: run.runId, runUid: run.runUid });
        store.event('resume', `restart ${run.resumes} after ${grid.length} bars`);
      } else {
        log(`paper run ${run.runId}: ${symbols.length} symbols ${timeframe} from ${source}${kafka || live ? '' : `, speed ${speed === 'max' ? 'max' : `${speed} bars/s`}`}, ledger ${ledger.path}`, { run: run.runId, runUid: run.runUid });
      }
      let liveStream;
      if (live) {
        try {
          liveStream = await liveSource({ exchange: flags.exchange, symbols, timeframe, pollMs, ...(flags.exchangeUrl ? { baseUrl: flags.exchangeUrl } : {}), ...(after !== undefined ? { after } : {}), stopping: () => stop, log, onReject: rejectOf('live') });
        } catch (e) {
          throw arenaError(ERR.CLI_ARG, '--source live', (e as Error).message);
        }
      }
      // the consumer (fetch, decode, validation, alignment, offset commits) on a thread of its own, beside the steps
      consumerStarting = kafka;
      stream = kafka
        ? await threadedKafkaSource({
            brokers,
            groupId: flags.group,
            timeframe,
            symbols,
            ...(after !== undefined ? { after } : {}),
            // the ledger says where each partition starts (the group's committed offsets only trail it)
            resume: store.offsets(barsTopic(timeframe)),
            runUid: run.runUid,
            stopping: () => stop,
            log: kafkaLog,
            // Kafka's reasons start with topic:partition:offset already
            onReject: rejectOf(),
            onSkip: () => metrics.reject('already in the ledger'),
          // --exit-at-end: once caught up (nothing pending, no message for 5 s) the stream ends; the run stays resumable
          ...(flags.exitAtEnd ? { exitWhenIdleMs: KAFKA_IDLE_EXIT_MS } : {}),
            onThread: (tid) => {
              keep.add(tid);
              consumerStarting = false;
            },
          })
        : undefined;
      consumerStarting = false;
      if (market?.skipped && !resumed) {
        // rows the loader skipped: counted and recorded once per run, with file:line and why
        for (const r of market.skipped) {
          metrics.reject('file row');
          store.event('rejected', `${r.where}: ${r.message}`);
        }
        if (market.skipped.length > 0) log.warn(`${market.skipped.length} bad rows or files in the data folder were skipped (recorded in the ledger's events)`, { event: 'rejected', rows: market.skipped.length });
      }
      const onReject = (kind: string, reason: string) => {
        metrics.reject(kind);
        store.event('rejected', reason);
      };
      // a stream's bars carry no funding: on perpetuals, market.fundingDir's files say what is due at each bar
      const fundingDir = config.market.kind === 'perp' && (kafka || live) && config.market.fundingDir !== undefined ? resolveDataDir(config.market.fundingDir) : undefined;
      const schedule = fundingDir === undefined ? undefined : FundingSchedule.open(fundingDir, symbols, after);
      if (fundingDir !== undefined && schedule === undefined) throw arenaError(ERR.CONFIG, `market.fundingDir ${fundingDir} holds no funding file for ${symbols.join(', ')}`);
      const streamed: AsyncIterable<SourceBar> | undefined = stream ?? liveStream;
      const bars = streamed && schedule ? withFunding(streamed, schedule) : streamed ?? replayPanel(market!.panel, { speed, ...(after !== undefined ? { after } : {}), ...(market!.funding ? { funding: market!.funding } : {}), ...(market!.fundingDue ? { fundingDue: market!.fundingDue } : {}), stopping: () => stop, onReject });
      // (not after a stop during the consumer's start: with the brokers gone it would wait out the retries)
      if (kafka && !stop) {
        publisher = kafkaClient({ brokers, log: kafkaLog }).producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
        await publisher.connect();
      }
      const producer = publisher;
      const onStep = producer ? (step: StepResult) => publishStep(producer, run.runUid, symbols, step) : undefined;
      watchdog = stepTimeoutS > 0 ? startStepWatchdog({ timeoutMs: stepTimeoutS * 1000 }) : undefined;
      let ended: 'end' | 'stopped';
      try {
        ended = await runLoop({ pipeline, store, metrics, source: bars, stopping: () => stop, log, controls: inbox, ...(kafka || live ? { barMs: timeframeMs(timeframe) } : {}), ...(onStep ? { onStep } : {}), ...(watchdog ? { watchdog } : {}) });
      } finally {
        loopEnded = true;
        inbox.close('the run ended before the request could be recorded; nothing was changed');
      }
      if (ended === 'end' && !stop && !kafka && !live) {
        store.finish();
        log(`replay finished: ${grid.length} bars, equity ${metrics.equity.toFixed(2)}; run ${run.runId} closed`, { event: 'finished', run: run.runId, bars: grid.length, equity: metrics.equity });
        if (!flags.exitAtEnd) {
          log('serving until SIGINT/SIGTERM (--exit-at-end to exit now)');
          while (!stop) await new Promise((r) => setTimeout(r, 200));
        }
      } else if (ended === 'end' && kafka && !stop) {
        log(`caught up: no bar for ${KAFKA_IDLE_EXIT_MS / 1000} s after ${grid.length} bars (--exit-at-end); run ${run.runId} resumes from the ledger on the next start`, { event: 'caught_up', run: run.runId, bars: grid.length });
      } else {
        log(`stopped after ${grid.length} bars; run ${run.runId} resumes from the ledger on the next start`);
      }
    } finally {
      clearInterval(lowering);
      await watchdog?.stop();
      await stream?.close();
      await publisher?.disconnect().catch(() => undefined);
      await selections.close();
      await server?.close();
      await dash?.close();
      view?.close();
    }
  } finally {
    try {
      ledger.close();
    } finally {
      lock.release();
    }
  }
}

/**
 * Fills and the decision of a step, for downstream consumers (arena.fills, arena.decisions), after the ledger has them;
 * each carries the run's uid (value and header), so daemons sharing the topics can be told apart.
 */
async function publishStep(producer: Producer, runUid: string, symbols: readonly string[], step: StepResult): Promise<void> {
  const iso = new Date(step.ts).toISOString();
  const headers = { [RUN_UID_HEADER]: runUid };
  const messages = [];
  // seq: the fill's place among its bar's fills (a bar can fill one symbol twice: a signal at the open, a stop inside the
  // bar); (runUid, ts, seq) is the same on a redelivery, since a resumed run keeps its uid and steps the same bars to the same fills
  if (step.fills.length > 0) messages.push({ topic: FILLS_TOPIC, messages: step.fills.map((f, seq) => ({ key: symbols[f.asset]!, headers, value: JSON.stringify({ runUid, ts: iso, seq, symbol: symbols[f.asset], ...f }) })) });
  if (step.orders.length > 0) {
    const orders = step.orders.map(([a, qty]) => ({ symbol: symbols[a], qty, combined: step.combined[a], target: step.target[a] }));
    messages.push({ topic: DECISIONS_TOPIC, messages: [{ key: iso, headers, value: JSON.stringify({ runUid, ts: iso, orders, halted: step.halted ?? null }) }] });
  }
  if (messages.length > 0) await producer.sendBatch({ topicMessages: messages });
}

/** A stream's bars with the funding due at each (perpetuals on Kafka or live): the schedule read from funding files. */
async function* withFunding(bars: AsyncIterable<SourceBar>, schedule: FundingSchedule): AsyncGenerator<SourceBar> {
  for await (const bar of bars) yield { ...bar, row: { ...bar.row, fundingDue: schedule.due(bar.ts) } };
}
