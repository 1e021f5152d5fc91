/**
 * The thread that steps the bars runs at the process's priority; every other thread runs below it. On a machine
 * with few cores a busy background thread otherwise takes the loop's core for a scheduler slice (4-5 ms here) in the
 * middle of a step: the daemon's selection worker and WAL checkpointer, and V8's own helpers (concurrent marking,
 * parallel scavenges, optimising compiles), which the step's own allocations and code wake up. Linux gives every
 * thread its own nice value: a worker lowers its own (`lowerThreadPriority`), the daemon lowers the rest
 * (`lowerOtherThreads`).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The nice value of the threads beside the loop (19: the lowest; they still get every core the loop leaves idle). */
export const BACKGROUND_NICE = 19;

/** This thread's id (Linux: /proc/thread-self -> "<pid>/task/<tid>"); undefined elsewhere. */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Lowers a thread to `nice` unless it is already there or lower (raising one back needs privileges). */
function lower(tid: number, nice: number): boolean {
  try {
    if (getPriority(tid) >= nice) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    // the thread ended meanwhile, or the platform cannot
    return false;
  }
}

/** Lowers the calling thread's priority to `nice` (0..19); false where the platform cannot (not Linux). */
export function lowerThreadPriority(nice = BACKGROUND_NICE): boolean {
  const tid = threadId();
  if (tid === undefined) return false;
  lower(tid, nice);
  try {
    return getPriority(tid) >= nice;
  } catch {
    return false;
  }
}

/** Threads the loop waits on synchronously (a user expert's), registered by what starts them: never lowered. */
const WAITED_ON = new Set<number>();

/** Marks a thread (its tid) as one the loop waits on, so lowerOtherThreads leaves it; `false` forgets it when it ends. */
export function keepThreadPriority(tid: number, keep = true): void {
  if (keep) WAITED_ON.add(tid);
  else WAITED_ON.delete(tid);
}

/**
 * Lowers every other thread of this process to `nice`, the calling one, those in `keep` (a thread the loop waits on,
 * such as the Kafka consumer's) and those marked with keepThreadPriority kept as they are; returns how many it
 * lowered (0 where the platform cannot). Threads started later inherit their creator's priority: call it again after them.
 */
export function lowerOtherThreads(nice = BACKGROUND_NICE, keep: ReadonlySet<number> = new Set()): number {
  const self = threadId();
  if (self === undefined) return 0;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  let n = 0;
  for (const task of tasks) {
    const tid = Number(task);
    if (tid !== self && !keep.has(tid) && !WAITED_ON.has(tid) && lower(tid, nice)) n++;
  }
  return n;
}
