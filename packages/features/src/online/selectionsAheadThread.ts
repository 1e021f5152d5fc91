/** The worker of SelectionsAhead: the features stage over every bar, each selection posted as it is made. */
import { parentPort } from 'node:worker_threads';
import { panelBar } from '../catalogue.ts';
import { OnlineFeatures } from './onlineFeatures.ts';
import { type AheadJob, type AheadMessage, selectionKey } from './selectionsAhead.ts';
import { type SelectionRunner, selectOnSlice } from './selectorStream.ts';

const post = (m: AheadMessage) => parentPort!.postMessage(m);

parentPort!.once('message', ({ bars, selectors }: AheadJob) => {
  try {
    const runner: SelectionRunner = {
      run: (request) => {
        const outcome = selectOnSlice(request);
        post({ key: selectionKey(request.config, request.t), outcome });
        return outcome;
      },
    };
    const input = { panel: { ...bars, nAssets: bars.symbols.length }, ...(bars.funding !== undefined ? { funding: bars.funding } : {}) };
    const online = new OnlineFeatures(bars.symbols, bars.timeframe, { hasFunding: bars.funding !== undefined, keep: 1, selectors, runner });
    for (let t = 0; t < bars.ts.length; t++) online.pushSync(panelBar(input, t));
    post({ done: bars.ts.length });
  } catch (e) {
    post({ error: (e as Error).stack ?? String(e) });
  }
});
