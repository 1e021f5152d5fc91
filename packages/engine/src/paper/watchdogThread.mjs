// The step watchdog's thread (watchdog.ts): plain JavaScript, so it starts without tsx. It reads when the current
// step began from shared memory; a step older than the limit means the loop's thread is stuck (a user expert that
// never returns): it writes one log line to stderr and kills the process, which nothing on that thread could do.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';

const { shared, timeoutMs, pollMs, service } = workerData;
const state = new Float64Array(shared);
setInterval(() => {
  const began = state[0];
  if (!(began > 0) || Date.now() - began < timeoutMs) return;
  const bar = new Date(state[1]).toISOString();
  const msg = `the step of the bar at ${bar} has not returned after ${(timeoutMs / 1000).toFixed(0)} s (a user expert's step that never returns?): killing the process; the ledger holds every committed step, and a restart resumes from it (and stops at the same bar again if the cause is there)`;
  writeSync(2, `${JSON.stringify({ level: 60, time: new Date().toISOString(), pid: process.pid, service, event: 'step_timeout', bar, msg })}\n`);
  process.kill(process.pid, 'SIGKILL');
}, pollMs);
