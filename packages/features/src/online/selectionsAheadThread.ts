/** The worker of SelectionsAhead: the features stage over every bar, each selection posted as it is made. */
import { parentPort } from 'node:worker_threads';
import type { FeatureBar } from '../catalogue/context.ts';
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
    const A = bars.symbols.length;
    const T = bars.ts.length;
    const online = new OnlineFeatures(bars.symbols, bars.timeframe, { hasFunding: bars.funding !== undefined, keep: 1, selectors, runner });
    for (let t = 0; t < T; t++) {
      const s = t * A;
      const e = s + A;
      const bar: FeatureBar = {
        ts: bars.ts[t]!,
        open: bars.open.subarray(s, e),
        high: bars.high.subarray(s, e),
        low: bars.low.subarray(s, e),
        close: bars.close.subarray(s, e),
        volume: bars.volume.subarray(s, e),
        present: bars.present.subarray(s, e),
        ...(bars.funding !== undefined ? { funding: bars.funding.subarray(s, e) } : {}),
      };
      online.pushSync(bar);
    }
    post({ done: T });
  } catch (e) {
    post({ error: (e as Error).stack ?? String(e) });
  }
});
