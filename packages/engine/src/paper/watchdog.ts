/**
 * A watchdog for the daemon's step loop. The loop's thread runs the steps, user experts included, synchronously: a
 * step that never returns (an endless loop in a user's `step`) blocks /healthz and the signal handlers with it. The
 * watchdog's own thread sees how long the current step has run (shared memory written around each step) and, past
 * the limit, logs why and kills the process, so an orchestrator sees a crash with its reason instead of a silent
 * hang. The ledger is consistent either way: steps are committed whole.
 */
import { Worker } from 'node:worker_threads';

export interface StepWatchdog {
  /** a step for the bar at ts begins */
  begin(ts: number): void;
  /** the step returned */
  end(): void;
  stop(): Promise<void>;
}

export function startStepWatchdog(o: { timeoutMs: number; service?: string }): StepWatchdog {
  const shared = new SharedArrayBuffer(16);
  const state = new Float64Array(shared);
  const worker = new Worker(new URL('./watchdogThread.mjs', import.meta.url), {
    workerData: { shared, timeoutMs: o.timeoutMs, pollMs: Math.max(50, Math.min(1000, o.timeoutMs / 4)), service: o.service ?? 'arena-paper' },
  });
  // it never keeps the process alive on its own
  worker.unref();
  return {
    begin(ts) {
      state[1] = ts;
      state[0] = Date.now();
    },
    end() {
      state[0] = 0;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
