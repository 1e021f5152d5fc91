/** A trial worker (pool.ts): rebuilds the panel it was sent, loads the user's experts, then runs trials on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadUserExperts } from '@arena/experts';
import { type TrialJob, type WorkerSetup, panelFromWire } from './pool.ts';
import { runTrial } from './trial.ts';

const setup = workerData as WorkerSetup;
const panel = panelFromWire(setup.panel);
const user = await loadUserExperts(setup.config.experts.custom);
parentPort!.on('message', (job: TrialJob) => {
  try {
    const result = runTrial(panel, setup.config, user, job.params, job.t0, job.t1, setup.objective, setup.minTrades, setup.fundingDue);
    parentPort!.postMessage({ id: job.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
