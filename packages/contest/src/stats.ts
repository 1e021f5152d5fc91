/**
 * Realised reward statistics per agent, from its per-bar rewards (after costs): sums over the current window and a
 * ring of the last 20 windows, exponentially decayed moments, hit rate and drawdown. `features` turns them into the
 * score model's inputs; all arrays are flat over agents and allocated once.
 */
export const RING = 20;
/** windows behind each Sharpe feature */
export const SPANS = [1, 3, 5, 20] as const;
export const FEATURE_NAMES = ['sharpe_1w', 'sharpe_3w', 'sharpe_5w', 'sharpe_20w', 'sharpe_ew', 'sharpe_long', 'hit_rate_20w', 'drawdown_20w', 'vol_ratio_5w_20w'] as const;
export const N_FEATURES = FEATURE_NAMES.length;
/** per-bar Sharpe values are clipped to this (a near-constant reward stream would make them explode) */
export const SHARPE_CLIP = 2;
const EW_HALFLIFE = 5;
/** the long memory: a half-life of 40 windows */
const LONG_HALFLIFE = 40;

const clip = (v: number, c: number) => (v > c ? c : v < -c ? -c : v);

/** mean / sd of a stream from its sums; 0 when it has no spread. */
export function sharpeOf(s1: number, s2: number, n: number): number {
  if (!(n > 1)) return 0;
  const m = s1 / n;
  const v = s2 / n - m * m;
  return v > 1e-18 ? clip(m / Math.sqrt(v), SHARPE_CLIP) : 0;
}

export class AgentStats {
  /** the open window */
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  readonly count: Float64Array;
  readonly positive: Float64Array;
  /** ring of closed windows [agent * RING + k] */
  readonly r1: Float64Array;
  readonly r2: Float64Array;
  readonly rn: Float64Array;
  readonly rpos: Float64Array;
  /** cumulative reward at each closed window's end, for the drawdown */
  readonly rcum: Float64Array;
  readonly ew1: Float64Array;
  readonly ew2: Float64Array;
  readonly ewn: Float64Array;
  readonly long1: Float64Array;
  readonly long2: Float64Array;
  readonly longn: Float64Array;
  readonly cum: Float64Array;
  /** closed windows in which the agent had at least one reward */
  readonly windows: Int32Array;
  /** closed windows in all (the ring's write position) */
  closed = 0;
  private readonly ewDecay = Math.pow(0.5, 1 / EW_HALFLIFE);
  private readonly longDecay = Math.pow(0.5, 1 / LONG_HALFLIFE);

  constructor(readonly n: number) {
    const f = (k: number) => new Float64Array(n * k);
    this.s1 = f(1);
    this.s2 = f(1);
    this.count = f(1);
    this.positive = f(1);
    this.r1 = f(RING);
    this.r2 = f(RING);
    this.rn = f(RING);
    this.rpos = f(RING);
    this.rcum = f(RING);
    this.ew1 = f(1);
    this.ew2 = f(1);
    this.ewn = f(1);
    this.long1 = f(1);
    this.long2 = f(1);
    this.longn = f(1);
    this.cum = f(1);
    this.windows = new Int32Array(n);
  }

  /** One bar's rewards (NaN: none for that agent). */
  observe(reward: ArrayLike<number>, offset: number): void {
    for (let i = 0; i < this.n; i++) {
      const r = reward[offset + i]!;
      if (r !== r) continue;
      this.s1[i] = this.s1[i]! + r;
      this.s2[i] = this.s2[i]! + r * r;
      this.count[i] = this.count[i]! + 1;
      if (r > 0) this.positive[i] = this.positive[i]! + 1;
      this.cum[i] = this.cum[i]! + r;
    }
  }

  /** Sharpe of the open window per agent into out (the score model's target when the window closes). */
  windowSharpe(out: Float64Array): void {
    for (let i = 0; i < this.n; i++) out[i] = sharpeOf(this.s1[i]!, this.s2[i]!, this.count[i]!);
  }

  /** Closes the open window into the ring and the decayed moments. */
  close(): void {
    const k = this.closed % RING;
    const d = this.ewDecay;
    const dl = this.longDecay;
    for (let i = 0; i < this.n; i++) {
      const j = i * RING + k;
      this.r1[j] = this.s1[i]!;
      this.r2[j] = this.s2[i]!;
      this.rn[j] = this.count[i]!;
      this.rpos[j] = this.positive[i]!;
      this.rcum[j] = this.cum[i]!;
      this.ew1[i] = d * this.ew1[i]! + this.s1[i]!;
      this.ew2[i] = d * this.ew2[i]! + this.s2[i]!;
      this.ewn[i] = d * this.ewn[i]! + this.count[i]!;
      this.long1[i] = dl * this.long1[i]! + this.s1[i]!;
      this.long2[i] = dl * this.long2[i]! + this.s2[i]!;
      this.longn[i] = dl * this.longn[i]! + this.count[i]!;
      if (this.count[i]! > 0) this.windows[i] = this.windows[i]! + 1;
      this.s1[i] = 0;
      this.s2[i] = 0;
      this.count[i] = 0;
      this.positive[i] = 0;
    }
    this.closed++;
  }

  /** The score model's inputs for every agent (FEATURE_NAMES order) from the closed windows, into out[i * N_FEATURES + f]. */
  features(out: Float64Array): void {
    const have = Math.min(this.closed, RING);
    for (let i = 0; i < this.n; i++) {
      const o = i * N_FEATURES;
      let f = 0;
      let s1 = 0;
      let s2 = 0;
      let n = 0;
      let pos = 0;
      let sd5 = 0;
      let peak = -Infinity;
      for (let back = 0; back < have; back++) {
        const j = i * RING + ((this.closed - 1 - back + RING * 2) % RING);
        s1 += this.r1[j]!;
        s2 += this.r2[j]!;
        n += this.rn[j]!;
        pos += this.rpos[j]!;
        if (this.rcum[j]! > peak) peak = this.rcum[j]!;
        const span = back + 1;
        if (span === 1 || span === 3 || span === 5 || span === RING) out[o + f++] = sharpeOf(s1, s2, n);
        if (span === 5 && n > 1) sd5 = Math.sqrt(Math.max(0, s2 / n - (s1 / n) ** 2));
      }
      // spans longer than the history so far repeat the longest available
      const last = f > 0 ? out[o + f - 1]! : 0;
      while (f < SPANS.length) out[o + f++] = last;
      out[o + f++] = sharpeOf(this.ew1[i]!, this.ew2[i]!, this.ewn[i]!);
      out[o + f++] = sharpeOf(this.long1[i]!, this.long2[i]!, this.longn[i]!);
      out[o + f++] = n > 0 ? pos / n - 0.5 : 0;
      const sd = n > 1 ? Math.sqrt(Math.max(0, s2 / n - (s1 / n) ** 2)) : 0;
      const window = have > 0 ? n / have : 1;
      // drawdown of the cumulative reward from its peak over the ring, in window standard deviations
      const dd = have > 0 && sd > 0 ? (peak - this.cum[i]!) / (sd * Math.sqrt(Math.max(1, window))) : 0;
      out[o + f++] = clip(Math.max(0, dd), 10);
      out[o + f++] = sd > 0 && sd5 > 0 ? clip(Math.log(sd5 / sd), 3) : 0;
    }
  }
}
