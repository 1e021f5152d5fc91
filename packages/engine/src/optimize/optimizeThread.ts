/** A trial worker (pool.ts): rebuilds the panel it was sent, loads the user's experts, then runs trials on request. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadUserExperts } from '@arena/experts';
import { type TrialJob, type WorkerSetup, panelFromWire } from './pool.ts';
import { UserExpertRuns } from '../pipeline/userRuns.ts';
import { runTrial } from './trial.ts';

const setup = workerData as WorkerSetup;
const panel = panelFromWire(setup.panel);
// the caller probed the modules; here each keeps one thread (with the config's limit per bar) across the trials
const user = new UserExpertRuns(await loadUserExperts(setup.config.experts.custom, { probe: false }), panel.nAssets, setup.config.experts.userTimeoutMs);
parentPort!.on('message', (job: TrialJob) => {
  try {
    const result = runTrial(panel, setup.config, user, job.params, job.t0, job.t1, setup.objective, setup.minTrades, setup.fundingDue);
    parentPort!.postMessage({ id: job.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
