/**
 * Seeded synthetic multi-asset market: Arena's embedded default source and a test bed whose regimes are known.
 *
 * Model, per bar t and asset a (all randomness from one `Rng(seed)`, forked once for the market and once per asset):
 * - Regimes. A market-wide chain and one chain per asset run over REGIMES. Each leaves its regime r with
 *   probability 1/meanDuration[r] per bar and then jumps to another regime drawn from next[r] (sticky chains).
 *   Assets are pulled toward the market regime: when the market chain switches, each asset joins it with
 *   probability marketSync (0.5), and when an asset leaves its regime on its own it goes to the market regime
 *   with that same probability. Effective mean segment lengths come out at about 140-270 bars.
 * - Shocks. One factor: z = beta_a * m_t + sqrt(1 - beta_a^2) * e_t with m, e ~ N(0,1) and beta_a in [0.4, 0.8]
 *   (stratified: one draw per slice of the range, slices shuffled over the assets).
 *   Volatility clusters through GARCH(1,1) on the standardised variance:
 *   h_t = (1 - alpha - beta) + alpha * h_{t-1} * z_{t-1}^2 + beta * h_{t-1}, persistence alpha + beta = 0.95.
 *   sigma_t = baseSigma * volScale_a * volMult[r] * sqrt(h_t), baseSigma = 0.6% per 1h bar scaled by sqrt(bar length).
 * - Returns (log, close to close). trend_up / trend_down: r_t = drift[r] * baseSigma * volScale_a + sigma_t * z.
 *   range: Ornstein-Uhlenbeck pull toward the log close at regime entry, r_t = -kappa * (x_{t-1} - anchor) + sigma_t * z.
 *   volatile (breakout): a jump of jump * baseSigma * volScale_a in a random direction on the first bar (the market's
 *   direction when the asset followed the market in), then follow-through drift in that direction at 2.75x volatility.
 * - Bars. open = previous close * exp(gap * sigma_t * N); close = previous close * exp(r_t); high / low extend
 *   max / min(open, close) by exp(+-|N| * wick * sigma_t). Volume is lognormal around a per-asset base, scaled by
 *   (1 + volumeShock * |r_t| / sigma_t), by volumeMult[r] and by jumpVolume on a breakout's first bar.
 * Same options, byte-identical arrays. The loop runs over typed arrays and allocates nothing per bar.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BarPanel, ERR, REGIMES, Rng, arenaError, timeframeMs, type Regime, type Timeframe } from '@arena/core';

export interface SyntheticOptions {
  seed: number;
  assets: number;
  bars: number;
  timeframe: Timeframe;
  /** open time of the first bar, ms UTC; default 2024-01-01 */
  startMs?: number;
}

export interface SyntheticMarket {
  panel: BarPanel;
  /** ground-truth regime of bar t for asset a at [t * nAssets + a], an index into REGIMES */
  regimes: Uint8Array;
  options: Required<SyntheticOptions>;
}

export interface SyntheticRegimeParams {
  /** nominal mean stay in bars (1 / per-bar exit probability); market syncing shortens the effective stay */
  readonly meanDuration: number;
  /** per-bar drift of log price in units of the asset's base sigma (sign of the trend) */
  readonly drift: number;
  /** multiplier on the GARCH volatility */
  readonly volMult: number;
  /** Ornstein-Uhlenbeck pull per bar of log price toward the level at regime entry */
  readonly meanReversion: number;
  /** size of the first-bar jump in units of the asset's base sigma (direction random) */
  readonly jump: number;
  /** multiplier on volume */
  readonly volumeMult: number;
  /** where the chain goes when it leaves this regime: probabilities over REGIMES (0 on itself) */
  readonly next: readonly [number, number, number, number];
}

/**
 * Per-regime parameters of the synthetic market, keyed by regime name (order of REGIMES: trend_up, trend_down,
 * range, volatile). Trends drift by +-0.1 base sigma per bar (a 200-bar trend moves ~20 sigma against ~14 sigma
 * of noise, so a moving-average rule is net long in trend_up and short in trend_down); range reverts to its entry
 * level at 8% per bar with 0.6x volatility; volatile opens with a 6-sigma jump, then runs at 2.75x volatility
 * and 2.5x volume with follow-through drift of 0.05 sigma per bar in the jump's direction.
 * Assets also switch when they follow the market chain (SYNTHETIC_MODEL_PARAMS.marketSync), so the effective
 * mean segment lengths are shorter than meanDuration: about 210 / 178 / 268 / 139 bars for trend_up /
 * trend_down / range / volatile (6 assets x 40k bars, seeds 1-12: 176-238 / 159-199 / 238-309 / 121-154);
 * the test holds every measured mean inside SYNTHETIC_DURATION_RANGE.
 */
export const SYNTHETIC_REGIME_PARAMS: Readonly<Record<Regime, SyntheticRegimeParams>> = {
  trend_up: { meanDuration: 300, drift: 0.1, volMult: 1, meanReversion: 0, jump: 0, volumeMult: 1, next: [0, 0.3, 0.45, 0.25] },
  trend_down: { meanDuration: 250, drift: -0.1, volMult: 1.1, meanReversion: 0, jump: 0, volumeMult: 1.1, next: [0.3, 0, 0.45, 0.25] },
  range: { meanDuration: 400, drift: 0, volMult: 0.6, meanReversion: 0.08, jump: 0, volumeMult: 0.8, next: [0.35, 0.3, 0, 0.35] },
  volatile: { meanDuration: 180, drift: 0.05, volMult: 2.75, meanReversion: 0, jump: 6, volumeMult: 2.5, next: [0.3, 0.3, 0.4, 0] },
};

/** Effective mean regime segment length, bars, that every regime stays within. */
export const SYNTHETIC_DURATION_RANGE = [100, 400] as const;

/** Model constants shared by all regimes (see the module comment for the equations). */
export const SYNTHETIC_MODEL_PARAMS = {
  /** per-bar sigma of log returns on 1h bars; other timeframes scale by sqrt(bar length / 1h) */
  baseSigma1h: 0.006,
  /** per-asset multiplier on baseSigma, uniform in this range */
  volScale: [0.75, 1.3],
  /** market-factor loading per asset, uniform in this range */
  beta: [0.4, 0.8],
  /** probability that an asset joins the market regime when the market chain switches, or when it leaves its own */
  marketSync: 0.5,
  garchAlpha: 0.08,
  garchBeta: 0.87,
  /** open-gap sigma as a fraction of the bar's sigma */
  gap: 0.05,
  /** wick length: |N| * wick * sigma beyond the body */
  wick: 0.6,
  /** lognormal sigma of volume noise */
  volumeNoise: 0.35,
  /** volume rises by this much per unit of |return| / sigma */
  volumeShock: 0.8,
  /** extra volume multiplier on the first bar of a breakout */
  jumpVolume: 2,
  /** base volume per bar, log-uniform in this range */
  baseVolume: [1e3, 1e5],
  /** first prices are log-spaced over this range */
  startPrice: [10, 1000],
} as const;

const R = REGIMES.length;
const VOLATILE = REGIMES.indexOf('volatile');

function column(key: Exclude<keyof SyntheticRegimeParams, 'next'>): Float64Array {
  return Float64Array.from(REGIMES, (r) => SYNTHETIC_REGIME_PARAMS[r][key]);
}

/** Cumulative next-regime table [from * R + to], for one uniform draw per switch. */
function nextCdf(): Float64Array {
  const cdf = new Float64Array(R * R);
  REGIMES.forEach((r, i) => {
    const next = SYNTHETIC_REGIME_PARAMS[r].next;
    let acc = 0;
    next.forEach((p, j) => {
      acc += p;
      cdf[i * R + j] = acc;
    });
    // the last reachable regime absorbs rounding, so every draw lands on a regime other than `from`
    for (let j = R - 1; j >= 0; j--) {
      if (next[j]! > 0) {
        for (let k = j; k < R; k++) cdf[i * R + k] = Infinity;
        break;
      }
    }
  });
  return cdf;
}

function drawNext(cdf: Float64Array, from: number, u: number): number {
  let j = 0;
  while (u >= cdf[from * R + j]!) j++; // next[from][from] is 0, so `from` is never chosen
  return j;
}

function checkOptions(opts: SyntheticOptions): Required<SyntheticOptions> {
  const problems: string[] = [];
  if (!Number.isInteger(opts.seed)) problems.push('synthetic.seed must be an integer');
  if (!Number.isInteger(opts.assets) || opts.assets < 1) problems.push('synthetic.assets must be an integer >= 1');
  if (!Number.isInteger(opts.bars) || opts.bars < 1) problems.push('synthetic.bars must be an integer >= 1');
  const startMs = opts.startMs ?? Date.UTC(2024, 0, 1);
  if (!Number.isFinite(startMs)) problems.push('synthetic.startMs must be a finite number');
  if (problems.length) throw arenaError(ERR.CONFIG, problems.join('; '));
  return { seed: opts.seed, assets: opts.assets, bars: opts.bars, timeframe: opts.timeframe, startMs };
}

export function generateSyntheticMarket(opts: SyntheticOptions): SyntheticMarket {
  const options = checkOptions(opts);
  const { assets: A, bars: T, timeframe } = options;
  const P = SYNTHETIC_MODEL_PARAMS;
  const barMs = timeframeMs(timeframe);
  const ts = new Float64Array(T);
  for (let t = 0; t < T; t++) ts[t] = options.startMs + t * barMs;
  const panel = new BarPanel(
    Array.from({ length: A }, (_, a) => `SYN${a}/USD`),
    timeframe,
    ts,
  );
  const regimes = new Uint8Array(A * T);

  const exitProb = column('meanDuration').map((d) => 1 / d);
  const drift = column('drift');
  const volMult = column('volMult');
  const kappa = column('meanReversion');
  const jump = column('jump');
  const volumeMult = column('volumeMult');
  const cdf = nextCdf();
  const baseSigma = P.baseSigma1h * Math.sqrt(barMs / 3_600_000);
  const omega = 1 - P.garchAlpha - P.garchBeta;

  const root = new Rng(options.seed);
  const marketRng = root.fork(0x5eed);
  const rngs = Array.from({ length: A }, (_, a) => root.fork(a));

  // per-asset state
  const beta = new Float64Array(A);
  const idioLoad = new Float64Array(A);
  const assetSigma = new Float64Array(A);
  const baseVolume = new Float64Array(A);
  const logClose = new Float64Array(A);
  const anchor = new Float64Array(A);
  const h = new Float64Array(A).fill(1);
  const lastZ = new Float64Array(A);
  const direction = new Float64Array(A);
  const regime = new Uint8Array(A);
  const entered = new Uint8Array(A).fill(1);

  let marketRegime = marketRng.int(R);
  let marketDirection = marketRng.next() < 0.5 ? -1 : 1;
  const betaSlot = Uint32Array.from({ length: A }, (_, a) => a);
  for (let a = A - 1; a > 0; a--) {
    const k = marketRng.int(a + 1);
    const tmp = betaSlot[a]!;
    betaSlot[a] = betaSlot[k]!;
    betaSlot[k] = tmp;
  }
  const [p0, p1] = P.startPrice;
  for (let a = 0; a < A; a++) {
    const rng = rngs[a]!;
    // stratified over the range, so that a small universe still spans low- and high-beta assets
    beta[a] = P.beta[0] + ((P.beta[1] - P.beta[0]) * (betaSlot[a]! + rng.next())) / A;
    idioLoad[a] = Math.sqrt(1 - beta[a]! * beta[a]!);
    assetSigma[a] = baseSigma * rng.uniform(P.volScale[0], P.volScale[1]);
    baseVolume[a] = Math.exp(rng.uniform(Math.log(P.baseVolume[0]), Math.log(P.baseVolume[1])));
    const level = A === 1 ? 0.5 : a / (A - 1);
    logClose[a] = Math.log(p0) + level * Math.log(p1 / p0) + rng.uniform(-0.05, 0.05);
    regime[a] = rng.next() < P.marketSync ? marketRegime : rng.int(R);
    direction[a] = rng.next() < 0.5 ? -1 : 1;
  }

  const halfVar = (P.volumeNoise * P.volumeNoise) / 2;
  for (let t = 0; t < T; t++) {
    let marketSwitched = false;
    if (t > 0 && marketRng.next() < exitProb[marketRegime]!) {
      marketRegime = drawNext(cdf, marketRegime, marketRng.next());
      marketDirection = marketRng.next() < 0.5 ? -1 : 1;
      marketSwitched = true;
    }
    const m = marketRng.normal();
    for (let a = 0; a < A; a++) {
      const rng = rngs[a]!;
      if (t > 0) {
        const from = regime[a]!;
        if (marketSwitched && marketRegime !== from && rng.next() < P.marketSync) {
          regime[a] = marketRegime;
          direction[a] = marketDirection;
          entered[a] = 1;
        } else if (rng.next() < exitProb[from]!) {
          const follow = marketRegime !== from && rng.next() < P.marketSync;
          regime[a] = follow ? marketRegime : drawNext(cdf, from, rng.next());
          direction[a] = follow ? marketDirection : rng.next() < 0.5 ? -1 : 1;
          entered[a] = 1;
        }
      }
      const r = regime[a]!;
      const prev = logClose[a]!;
      if (entered[a]) anchor[a] = prev;

      const ha = omega + P.garchAlpha * h[a]! * lastZ[a]! * lastZ[a]! + P.garchBeta * h[a]!;
      h[a] = ha;
      const z = beta[a]! * m + idioLoad[a]! * rng.normal();
      lastZ[a] = z;
      const base = assetSigma[a]!;
      const sigma = base * volMult[r]! * Math.sqrt(ha);
      const dir = r === VOLATILE ? direction[a]! : 1;
      let ret = dir * drift[r]! * base - kappa[r]! * (prev - anchor[a]!) + sigma * z;
      const jumpBar = entered[a] === 1 && jump[r]! > 0;
      if (jumpBar) ret += dir * jump[r]! * base;
      entered[a] = 0;

      const x = prev + ret;
      logClose[a] = x;
      const open = Math.exp(prev + P.gap * sigma * rng.normal());
      const close = Math.exp(x);
      const j = t * A + a;
      panel.open[j] = open;
      panel.close[j] = close;
      panel.high[j] = Math.max(open, close) * Math.exp(Math.abs(rng.normal()) * P.wick * sigma);
      panel.low[j] = Math.min(open, close) * Math.exp(-Math.abs(rng.normal()) * P.wick * sigma);
      panel.volume[j] =
        baseVolume[a]! *
        Math.exp(P.volumeNoise * rng.normal() - halfVar) *
        (1 + (P.volumeShock * Math.abs(ret)) / sigma) *
        volumeMult[r]! *
        (jumpBar ? P.jumpVolume : 1);
      panel.present[j] = 1;
      regimes[j] = r;
    }
  }
  return { panel, regimes, options };
}

/** File name of a symbol in the shared-data format: `/` written as `_`. */
function fileName(symbol: string): string {
  return `${symbol.replaceAll('/', '_')}.csv.gz`;
}

/**
 * Writes one `<SYM>.csv.gz` per asset (header ts,open,high,low,close,volume; ts in ms) and `regimes.csv.gz`
 * (ts,symbol,regime). Numbers are written in their shortest exact form, so reading back gives the same doubles.
 */
export function writeSyntheticMarket(m: SyntheticMarket, dir: string): { files: string[] } {
  const { panel, regimes } = m;
  const A = panel.nAssets;
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let a = 0; a < A; a++) {
    const lines = ['ts,open,high,low,close,volume'];
    for (let t = 0; t < panel.nTimes; t++) {
      const j = t * A + a;
      if (!panel.present[j]) continue;
      lines.push(`${panel.ts[t]},${panel.open[j]},${panel.high[j]},${panel.low[j]},${panel.close[j]},${panel.volume[j]}`);
    }
    const path = join(dir, fileName(panel.symbols[a]!));
    writeFileSync(path, gzipSync(lines.join('\n') + '\n'));
    files.push(path);
  }
  const lines = ['ts,symbol,regime'];
  for (let t = 0; t < panel.nTimes; t++) {
    for (let a = 0; a < A; a++) lines.push(`${panel.ts[t]},${panel.symbols[a]},${REGIMES[regimes[t * A + a]!]}`);
  }
  const path = join(dir, 'regimes.csv.gz');
  writeFileSync(path, gzipSync(lines.join('\n') + '\n'));
  files.push(path);
  return { files };
}
