/** Test support: the contest's settings at their config defaults, written out (tests pin them). */
import type { ContestSettings } from './contest.ts';

export const SETTINGS: ContestSettings = {
  window: 24,
  topK: 5,
  minWindows: 5,
  minPairs: 64,
  shrinkage: 10,
  prior: 0,
  minSharpe: 1.5,
  ridge: 3,
  forgetting: 0.98,
  allocation: 'proportional',
  covShrink: 0.5,
  benchmark: 'cash',
  adoption: 'blend',
  // no track record: the tests of the score model's adoption see every choice traded (contest.test covers the record)
  trackRecord: { windows: 0, minT: 1.645 },
};
