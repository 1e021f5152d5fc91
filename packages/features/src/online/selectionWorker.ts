/**
 * Selections beside the loop: a worker thread runs DynamicFeatureSelector.select on the window copies the stream
 * sends (selectOnSlice, the code inlineSelection runs), so a daemon's event loop never spends a selection's
 * 100-250 ms. The same request gives the same selection here or inline (the selector is deterministic).
 */
import { Worker } from 'node:worker_threads';
import type { SelectionOutcome, SelectionRequest, SelectionRunner } from './selectorStream.ts';
import { type WireRequest, toWire } from './selectionWire.ts';

export class WorkerSelection implements SelectionRunner {
  readonly sharedMemory = true;
  private worker: Worker | undefined;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (o: SelectionOutcome) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    // the worker runs TypeScript through tsx, as the CLI does
    const w = new Worker(new URL('./selectionThread.mjs', import.meta.url));
    w.on('message', (m: { id: number; outcome?: SelectionOutcome; error?: string }) => {
      const p = this.waiting.get(m.id);
      if (p === undefined) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) w.unref();
      if (m.outcome !== undefined) p.resolve(m.outcome);
      else p.reject(new Error(`selection failed in its worker: ${m.error}`));
    });
    w.on('error', (e) => this.failAll(e));
    w.on('exit', (code) => {
      this.worker = undefined;
      if (this.waiting.size > 0) this.failAll(new Error(`the selection worker exited (${code}) with ${this.waiting.size} selections pending`));
    });
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  run(request: SelectionRequest): Promise<SelectionOutcome> {
    const worker = this.start();
    worker.ref(); // a pending selection keeps the process alive
    const id = this.next++;
    const wire: WireRequest = toWire(id, request);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // the columns sit on the stream's SharedArrayBuffer (read in place); any plain buffer is transferred, once
      const owned = new Set<ArrayBuffer>();
      for (const c of wire.columns) if (!(c.buffer instanceof SharedArrayBuffer)) owned.add(c.buffer as ArrayBuffer);
      worker.postMessage(wire, [...owned]);
    });
  }

  /** Stops the worker; selections still pending are dropped (nothing waits for them any more). */
  async close(): Promise<void> {
    this.waiting.clear();
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
