/**
 * Trials in parallel: a pool of worker threads, each holding the panel and the user's experts, running the trials it
 * is handed (trial.ts). Results come back as they finish; the caller stores each before it asks for more.
 */
import { Worker } from 'node:worker_threads';
import { type ArenaConfig, BarPanel } from '@arena/core';
import type { ParamValue } from '@arena/experts';
import type { Objective, TrialResult } from './trial.ts';

/** The panel's columns, as a worker receives them (structured clone). */
export type PanelWire = Pick<BarPanel, 'symbols' | 'timeframe' | 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'present'>;

export interface WorkerSetup {
  readonly panel: PanelWire;
  readonly config: ArenaConfig;
  readonly objective: Objective;
  readonly minTrades: number;
  /** funding settled at each bar's open (perpetuals) */
  readonly fundingDue?: Float64Array;
}

export interface TrialJob {
  readonly id: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly t0: number;
  readonly t1: number;
}

export function panelToWire(p: BarPanel): PanelWire {
  return { symbols: p.symbols, timeframe: p.timeframe, ts: p.ts, open: p.open, high: p.high, low: p.low, close: p.close, volume: p.volume, present: p.present };
}

export function panelFromWire(w: PanelWire): BarPanel {
  const p = new BarPanel(w.symbols, w.timeframe, w.ts);
  p.open.set(w.open);
  p.high.set(w.high);
  p.low.set(w.low);
  p.close.set(w.close);
  p.volume.set(w.volume);
  p.present.set(w.present);
  return p;
}

export class TrialPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: TrialJob; resolve: (r: TrialResult) => void; reject: (e: Error) => void }[] = [];
  private readonly running = new Map<Worker, { resolve: (r: TrialResult) => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;

  private constructor() {}

  static async start(n: number, setup: WorkerSetup): Promise<TrialPool> {
    const pool = new TrialPool();
    await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(new URL('./optimizeThread.mjs', import.meta.url), { workerData: setup });
          w.once('message', (m: { ready?: boolean }) => (m.ready ? resolve() : reject(new Error('a trial worker did not start'))));
          w.on('error', (e) => {
            pool.fail(e);
            reject(e);
          });
          w.on('message', (m: { id?: number; result?: TrialResult; error?: string }) => {
            if (m.id === undefined) return;
            const p = pool.running.get(w);
            pool.running.delete(w);
            if (m.result !== undefined) p?.resolve(m.result);
            else p?.reject(new Error(`a trial failed in its worker: ${m.error}`));
            pool.idle.push(w);
            pool.pump();
          });
          pool.workers.push(w);
          pool.idle.push(w);
        }),
      ),
    );
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  run(job: TrialJob): Promise<TrialResult> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const q = this.queue.shift()!;
      this.running.set(w, q);
      w.postMessage(q.job);
    }
  }

  private fail(e: Error): void {
    this.failed = e;
    for (const p of this.running.values()) p.reject(e);
    this.running.clear();
    for (const q of this.queue.splice(0)) q.reject(e);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
