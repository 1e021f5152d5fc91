/** The selection worker's thread: requests in, selections out (see selectionWorker.ts). */
import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '@arena/core';
import { type WireRequest, fromWire } from './selectionWire.ts';
import { selectOnSlice } from './selectorStream.ts';

// selections yield the CPU to the loop that steps the bars
lowerThreadPriority();

parentPort!.on('message', (w: WireRequest) => {
  try {
    parentPort!.postMessage({ id: w.id, outcome: selectOnSlice(fromWire(w)) });
  } catch (e) {
    parentPort!.postMessage({ id: w.id, error: (e as Error).stack ?? String(e) });
  }
});
