/**
 * The score model's own out-of-sample track record: the reward (relative to the fallback: the benchmark agent's
 * reward, or 0 in cash) of the book it chose at each window's end, realised over the window that followed, whether
 * or not that book was traded. The record is one number per window, that window's mean reward per bar, and its
 * t-statistic over the last `windows` windows is what the contest trades on: the model's choice is traded only while
 * it clears contest.trackRecord.minT (docs/contest.md, "Track record"). Windows, not bars, are the sample: a choice
 * holds for a whole window, so its bars share one decision and are not independent evidence. Windows in which the
 * model chose nobody (the fallback itself) do not count: they say nothing about its picks. A change of book costs:
 * the contest charges the move into a choice to the window it starts and the move back to the fallback to the
 * window it ends (chargeNext, chargeLast), so the record is what trading the choices would have earned. Allocates once.
 */
/**
 * Windows of record needed before the t-statistic is taken (fewer: 0, so a choice is traded only if minT <= 0).
 * contest.trackRecord.windows is 0 (off) or at least this (config.ts).
 */
export const MIN_RECORD_WINDOWS = 5;

export class TrackRecord {
  /** per closed window with a choice: its mean reward per bar (ring) */
  private readonly means: Float64Array;
  private readonly filled: Uint8Array;
  private sum = 0;
  private bars = 0;
  private closed = 0;
  /** bars of the last closed window (chargeLast spreads over them) */
  private lastBars = 0;

  constructor(readonly windows: number) {
    if (!(Number.isInteger(windows) && windows >= 1)) throw new Error(`track record over ${windows} windows: must be a whole number >= 1`);
    this.means = new Float64Array(windows);
    this.filled = new Uint8Array(windows);
  }

  /**
   * One bar: the chosen book's reward, sum over agents of weight x reward[offset + agent] (rewards relative to the
   * fallback; an agent without a reward at this bar counts 0, and a bar without any chosen agent's reward, a row
   * where no asset had a return, is skipped as the agents' statistics skip it). `active`: the choice held anyone
   * but the fallback.
   */
  observe(reward: ArrayLike<number>, offset: number, weights: Float64Array, active: boolean): void {
    if (!active) return;
    let r = 0;
    let known = false;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (w === 0) continue;
      const v = reward[offset + i]!;
      if (v === v) {
        r += w * v;
        known = true;
      }
    }
    if (!known) return;
    this.sum += r;
    this.bars++;
  }

  /** Ends the window: its mean enters the ring (replacing the oldest); a window without a choice leaves a gap. */
  close(): void {
    const k = this.closed % this.windows;
    this.filled[k] = this.bars > 0 ? 1 : 0;
    this.means[k] = this.bars > 0 ? this.sum / this.bars : 0;
    this.lastBars = this.bars;
    this.sum = 0;
    this.bars = 0;
    this.closed++;
  }

  /** A cost (reward units) the coming window pays: spread over its bars (dropped if it ends without any). */
  chargeNext(cost: number): void {
    this.sum -= cost;
  }

  /** A cost the window just closed pays (spread over its bars; nothing if it had no choice). */
  chargeLast(cost: number): void {
    if (this.closed === 0 || this.lastBars === 0) return;
    const k = (this.closed - 1) % this.windows;
    this.means[k] = this.means[k]! - cost / this.lastBars;
  }

  /** Windows with a choice in the ring. */
  get count(): number {
    let n = 0;
    for (let k = 0; k < this.windows; k++) n += this.filled[k]!;
    return n;
  }

  /** t-statistic of the windows' mean rewards: mean / sd x sqrt(windows); 0 below MIN_RECORD_WINDOWS or without spread. */
  tStat(): number {
    let s1 = 0;
    let n = 0;
    for (let k = 0; k < this.windows; k++) {
      if (this.filled[k] === 0) continue;
      s1 += this.means[k]!;
      n++;
    }
    if (n < MIN_RECORD_WINDOWS) return 0;
    const m = s1 / n;
    let ss = 0;
    for (let k = 0; k < this.windows; k++) if (this.filled[k] === 1) ss += (this.means[k]! - m) ** 2;
    const v = ss / (n - 1);
    return v > 1e-24 ? (m / Math.sqrt(v)) * Math.sqrt(n) : 0;
  }
}
