/**
 * Operator controls (pause, resume, flatten) as durable requests. A request is committed to the ledger
 * (control_requests) before it is confirmed; the next step applies it between bars, records the bar it applied at
 * (controls) and marks the request applied, in the step's own transaction. A request that no step applied before a
 * stop or a crash is applied by the first step after the restart, so a confirmed control is never lost.
 *
 * The daemon writes its steps in group transactions (runLoop): a request that comes while one is open waits for its
 * commit (a write now would join the group and could be rolled back with it); the loop drains the waiting requests
 * after every commit.
 */
import type { ControlKind, Pipeline, StepResult } from '../pipeline/pipeline.ts';
import type { PaperStore } from './store.ts';

interface Waiting {
  readonly kind: ControlKind;
  readonly done: () => void;
  readonly fail: (e: Error) => void;
}

export class ControlInbox {
  private readonly waiting: Waiting[] = [];
  /** ids of the requests queued in the pipeline, in order: its next step applies them all */
  private readonly queued: number[] = [];

  constructor(
    private readonly pipeline: Pipeline,
    private readonly store: PaperStore,
  ) {}

  /** Resolves once the request is committed to the ledger; the next step applies it. */
  request(kind: ControlKind): Promise<void> {
    if (!this.store.inTransaction) {
      this.write(kind);
      return Promise.resolve();
    }
    return new Promise((done, fail) => this.waiting.push({ kind, done, fail }));
  }

  /** Requests waiting for a commit (the loop calls drain() once none is open). */
  get pending(): number {
    return this.waiting.length;
  }

  /** Outside a transaction: writes the waiting requests (each committed) and queues them for the next step. */
  drain(): void {
    if (this.store.inTransaction) return;
    while (this.waiting.length > 0) {
      const w = this.waiting.shift()!;
      try {
        this.write(w.kind);
        w.done();
      } catch (e) {
        w.fail(e as Error);
      }
    }
  }

  /** The loop has ended: requests still waiting for a commit are refused with the reason (none was written). */
  close(reason: string): void {
    for (const w of this.waiting.splice(0)) w.fail(new Error(reason));
  }

  /** After a restart's rebuild: queues the requests that no step applied; returns them. */
  resumeUnapplied(): { id: number; kind: ControlKind }[] {
    const open = this.store.unappliedControls();
    for (const r of open) {
      this.pipeline.control(r.kind);
      this.queued.push(r.id);
    }
    return open;
  }

  /** Inside the step's savepoint: the requests it applied are marked with its bar. */
  applied(step: StepResult): void {
    const n = step.controls?.length ?? 0;
    if (n > 0) this.store.controlsApplied(this.queued.splice(0, n), step.t);
  }

  private write(kind: ControlKind): void {
    const id = this.store.requestControl(kind);
    this.pipeline.control(kind);
    this.queued.push(id);
  }
}
