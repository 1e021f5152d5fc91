/**
 * Background threads (selections, WAL checkpoints) run at a lower CPU priority than the thread that steps the
 * bars: on a machine with few cores, a busy worker otherwise takes the loop's core for a scheduler slice (4-5 ms
 * here) in the middle of a step. Linux gives every thread its own nice value, so a worker lowers its own.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Lowers the calling thread's priority to `nice` (0..19); false where the platform cannot (not Linux). */
export function lowerThreadPriority(nice = 10): boolean {
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid)) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
