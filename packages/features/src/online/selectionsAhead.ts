/**
 * A backtest's selections computed ahead of its loop, on the second core. The selectors depend on the bars alone, so
 * a worker runs the features stage over the whole panel with the same selectors (each selection in its own thread,
 * inline) and posts every selection as it makes it; the loop's selector streams, which decide at the same bars from
 * the same features, take theirs from it instead of computing them, while the loop goes on with the learned expert,
 * the data team and the router. Same code, same data, same selections: pipeline/precompute.test.ts (in
 * @arena/engine) holds a backtest's stages equal with selections ahead and inline.
 */
import { Worker } from 'node:worker_threads';
import type { BarPanel } from '@arena/core';
import type { SelectorConfigInput } from '../selectorConfig.ts';
import type { SelectionOutcome, SelectionRequest, SelectionRunner } from './selectorStream.ts';

/** The bars the worker's features stage reads: a panel's arrays (time-major [t * A + a]) and its funding, if any. */
export type AheadBars = Pick<BarPanel, 'symbols' | 'timeframe' | 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'present'> & { readonly funding?: Float64Array };

/** What the worker is sent: the bars and the selectors of the features stage (OnlineFeatures' options). */
export interface AheadJob {
  readonly bars: AheadBars;
  readonly selectors: Readonly<Record<string, SelectorConfigInput>>;
}

/** From the worker: one selection (by `selectionKey`), the end of the panel, or a failure. */
export type AheadMessage = { readonly key: string; readonly outcome: SelectionOutcome } | { readonly done: number } | { readonly error: string };

/** A selection's identity: its stream's config and its deciding bar (equal configs share one stream). */
export function selectionKey(config: unknown, t: number): string {
  return `${JSON.stringify(config)}@${t}`;
}

export class SelectionsAhead implements SelectionRunner {
  private worker: Worker | undefined;
  private readonly ready = new Map<string, SelectionOutcome>();
  private readonly waiting = new Map<string, { resolve: (o: SelectionOutcome) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private finished = false;

  /** Nothing runs until start(): a caller that fails while assembling its stages leaves no worker behind. */
  constructor(private readonly job: AheadJob) {}

  /** Starts the worker on the job (once); close() stops it. */
  start(): void {
    if (this.worker !== undefined || this.finished) return;
    // the worker runs TypeScript through tsx, as the CLI does
    const worker = new Worker(new URL('./selectionsAheadThread.mjs', import.meta.url));
    this.worker = worker;
    worker.on('message', (m: AheadMessage) => {
      if ('key' in m) {
        const w = this.waiting.get(m.key);
        if (w !== undefined) {
          this.waiting.delete(m.key);
          w.resolve(m.outcome);
        } else this.ready.set(m.key, m.outcome);
      } else if ('done' in m) {
        this.finished = true;
        this.failWaiting(new Error(`the selection worker ended its ${m.done} bars without these selections: ${[...this.waiting.keys()].join(', ')}`));
      } else this.fail(new Error(`selections ahead failed in their worker: ${m.error}`));
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => {
      if (!this.finished) this.fail(new Error(`the selection worker exited (${code}) before the end of the panel`));
    });
    try {
      worker.postMessage(this.job);
    } catch (e) {
      // a job that cannot be sent (not cloneable): the worker would wait for it forever
      void worker.terminate();
      throw e;
    }
  }

  run(request: SelectionRequest): SelectionOutcome | Promise<SelectionOutcome> {
    if (this.worker === undefined && !this.finished) throw new Error('SelectionsAhead.run before start()');
    const key = selectionKey(request.config, request.t);
    const hit = this.ready.get(key);
    if (hit !== undefined) {
      this.ready.delete(key);
      return hit;
    }
    const failed = this.failure ?? (this.finished ? new Error(`the selection worker made no selection at bar ${request.t} for ${JSON.stringify(request.config)}`) : undefined);
    const outcome = failed !== undefined ? Promise.reject(failed) : new Promise<SelectionOutcome>((resolve, reject) => this.waiting.set(key, { resolve, reject }));
    // the stream awaits it at its takeover bar, which may come after a failure: not an unhandled rejection meanwhile
    outcome.catch(() => undefined);
    return outcome;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.failWaiting(e);
  }

  private failWaiting(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  /** Stops the worker (the loop has its selections, or gave up). */
  async close(): Promise<void> {
    this.finished = true;
    this.failWaiting(new Error('selections ahead closed'));
    await this.worker?.terminate();
  }
}
