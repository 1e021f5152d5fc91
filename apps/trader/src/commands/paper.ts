/**
 * `arena paper`: the paper-trading daemon on the embedded replay (data files or the synthetic market). It keeps
 * its books in the SQLite ledger, one transaction per step with the source offset, resumes an unfinished run from
 * the ledger after a crash, serves /healthz and /metrics, and stops cleanly on SIGINT/SIGTERM. No order ever goes
 * to an exchange.
 */
import { E, type ArenaConfig, arenaError } from '@arena/core';
import { Ledger, PaperMetrics, PaperPipeline, PaperStore, rebuild, runLoop } from '@arena/engine';
import { createLearnedExpert } from '@arena/experts';
import { initRuntime } from '@arena/kernels';
import { createRouter } from '@arena/router';
import { parseSpeed, replayPanel } from '@arena/streams';
import { type BacktestFlags, configFromFlags, loadMarket } from './backtest.ts';
import { startOpsServer } from '../ops/server.ts';

export interface PaperFlags extends Omit<BacktestFlags, 'baselines' | 'out'> {
  source: string;
  speed: string;
  exitAtEnd?: boolean;
  db: string;
  port: string;
}

/** --port: "8080", "127.0.0.1:8080", "0" (any free port). */
export function parsePort(s: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw arenaError(E.CLI_ARG, '--port', `${s} (expected PORT or HOST:PORT, e.g. 127.0.0.1:8080)`);
  return { host: m[1] ?? '127.0.0.1', port };
}

async function models(config: ArenaConfig, log: (s: string) => void, funding?: Float64Array) {
  const wantsLearned = (config.experts.weights.learned ?? 0) > 0;
  const needsRuntime = wantsLearned || config.router.mode === 'model' || config.router.mode === 'vlm';
  const runtime = needsRuntime ? await initRuntime({ log }) : undefined;
  const learned = wantsLearned ? await createLearnedExpert(config.experts.learned, { log, ...(runtime ? { runtime } : {}), ...(funding ? { funding } : {}) }) : undefined;
  const router = config.router.mode === 'static' ? undefined : await createRouter(config, { log, ...(runtime ? { runtime } : {}) });
  return { backend: runtime?.info.backend ?? 'none', learned, router };
}

export async function paperCommand(flags: PaperFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  if (flags.source !== 'replay') {
    throw arenaError(E.CLI_ARG, '--source', `${flags.source}: this build runs the embedded replay only (kafka and live are not wired yet)`);
  }
  let speed: number | 'max';
  try {
    speed = parseSpeed(flags.speed);
  } catch (e) {
    throw arenaError(E.CLI_ARG, '--speed', (e as Error).message);
  }
  const address = parsePort(flags.port);
  const config = configFromFlags({ ...flags, baselines: false, out: '' });
  const { panel, source } = await loadMarket(config, log);
  let ledger: Ledger;
  try {
    ledger = Ledger.open(flags.db);
  } catch (e) {
    throw arenaError(E.LEDGER, (e as Error).message);
  }
  let stop = false;
  const onSignal = (sig: string) => {
    if (!stop) log(`${sig}: finishing the current step, then stopping`);
    stop = true;
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    let opened;
    try {
      opened = PaperStore.openRun(ledger, { source: `replay ${source}`, symbols: panel.symbols, timeframe: panel.timeframe, periodsPerYear: panel.periodsPerYear(), config });
    } catch (e) {
      throw arenaError(E.LEDGER, (e as Error).message);
    }
    const { run, resumed } = opened;
    const m = await models(config, log);
    const pipeline = new PaperPipeline(panel.symbols, panel.timeframe, config, { ...(m.learned ? { learned: m.learned } : {}), ...(m.router ? { router: m.router } : {}) }, panel.periodsPerYear());
    const store = new PaperStore(ledger, run.runId);
    let after: number | undefined;
    if (resumed) {
      const t0 = performance.now();
      try {
        after = (await rebuild(pipeline, store)).lastTs;
      } catch (e) {
        throw arenaError(E.LEDGER, (e as Error).message);
      }
      const offset = store.offset('replay');
      log(`resumed paper run ${run.runId} (restart ${run.resumes}): rebuilt ${pipeline.grid.length} bars from the ledger in ${(performance.now() - t0).toFixed(0)} ms; continuing after ${offset === undefined ? 'the start' : new Date(Number(offset)).toISOString()}`);
      store.event('resume', `restart ${run.resumes} after ${pipeline.grid.length} bars`);
    } else {
      log(`paper run ${run.runId}: ${panel.nAssets} symbols ${panel.timeframe} from ${source}, speed ${speed === 'max' ? 'max' : `${speed} bars/s`}, ledger ${ledger.path}`);
    }
    const metrics = new PaperMetrics(m.backend, 'replay');
    const server = await startOpsServer(address, () => ({ status: stop ? 'stopping' : 'ok', run: run.runId, steps: metrics.steps, lastTs: metrics.lastTs ? new Date(metrics.lastTs).toISOString() : null, equity: metrics.equity, paused: metrics.paused === 1 }), () => metrics.render());
    log(`serving /healthz and /metrics on http://${server.host}:${server.port}`);
    try {
      const ended = await runLoop({ pipeline, store, metrics, source: replayPanel(panel, { speed, ...(after !== undefined ? { after } : {}), stopping: () => stop }), stopping: () => stop, log });
      if (ended === 'end' && !stop) {
        store.finish();
        log(`replay finished: ${pipeline.grid.length} bars, equity ${metrics.equity.toFixed(2)}; run ${run.runId} closed`);
        if (!flags.exitAtEnd) {
          log('serving until SIGINT/SIGTERM (--exit-at-end to exit now)');
          while (!stop) await new Promise((r) => setTimeout(r, 200));
        }
      } else {
        log(`stopped after ${pipeline.grid.length} bars; run ${run.runId} resumes from the ledger on the next start`);
      }
    } finally {
      await server.close();
    }
  } finally {
    ledger.close();
  }
}
