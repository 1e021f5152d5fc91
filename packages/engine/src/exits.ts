/**
 * Protective exits of the paper broker (docs/orders.md): stop-loss, take-profit, trailing stop, time stop, and on
 * perpetuals the liquidation price. Levels are set when a position opens (from its entry price and the ATR known
 * then) and follow its average entry price when it grows. Inside a bar the order is fixed and conservative: a gap
 * at the open through a level fills at the open; else the adverse levels (stop, trailing, liquidation: whichever
 * the falling price meets first) come before the target; the trailing stop's best price takes in a bar's extreme
 * only after that bar's checks. All state is per-asset typed arrays; nothing is allocated per bar.
 */
import { type ArenaConfig, type ExitRule, expertNames } from '@arena/core';

/** Why a position (or part of one) was closed: the fill's reason code. */
export const EXIT_REASONS = ['signal', 'stop', 'target', 'trailing', 'time', 'kill', 'liquidation'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];
export const REASON = { signal: 0, stop: 1, target: 2, trailing: 3, time: 4, kill: 5, liquidation: 6 } as const;

/** One rule set with absent levels as NaN: fractions of the entry price and ATR multiples. */
export interface ResolvedRule {
  readonly stopPct: number;
  readonly stopAtr: number;
  readonly targetPct: number;
  readonly targetAtr: number;
  readonly trailPct: number;
  readonly trailAtr: number;
  readonly activation: number;
  readonly timeStop: number;
}

function resolve(r: Partial<ExitRule>, base?: ResolvedRule): ResolvedRule {
  const pick = (v: number | undefined, b: number | undefined) => (v !== undefined ? v : b !== undefined ? b : NaN);
  return {
    stopPct: pick(r.stopLoss, base?.stopPct),
    stopAtr: pick(r.stopLossAtr, base?.stopAtr),
    targetPct: pick(r.takeProfit, base?.targetPct),
    targetAtr: pick(r.takeProfitAtr, base?.targetAtr),
    trailPct: pick(r.trailingStop, base?.trailPct),
    trailAtr: pick(r.trailingStopAtr, base?.trailAtr),
    // absent everywhere: the trailing stop arms at once
    activation: pick(r.trailingActivation, base?.activation === undefined ? 0 : base.activation),
    timeStop: pick(r.timeStop, base?.timeStop),
  };
}

/** True when a rule set closes positions by itself (any level or a time stop). */
function active(r: ResolvedRule): boolean {
  return [r.stopPct, r.stopAtr, r.targetPct, r.targetAtr, r.trailPct, r.trailAtr, r.timeStop].some((v) => v === v);
}

/** The config's rule sets: [0] the global one, then one per expert that overrides it (an expert's keys over the global ones). */
export interface ExitPlan {
  readonly rules: readonly ResolvedRule[];
  /** rule set index per expert (expertNames order): 0 unless the expert has its own */
  readonly ruleOfExpert: Uint8Array;
  /** any rule set closes positions by itself */
  readonly enabled: boolean;
  /** any expert has its own rule set */
  readonly perExpert: boolean;
  /** any rule set has an ATR level (else the ATR is not tracked) */
  readonly usesAtr: boolean;
  /** any rule set has a time stop (else time stops are not looked for) */
  readonly usesTimeStop: boolean;
  readonly atrPeriod: number;
  /** bars a protective exit keeps the asset flat at most (Infinity: until the target changes sign) */
  readonly cooldown: number;
}

/** No protective exit (buy and hold's book, and a broker built without a plan). */
export const NO_EXITS: ExitPlan = {
  rules: [{ stopPct: NaN, stopAtr: NaN, targetPct: NaN, targetAtr: NaN, trailPct: NaN, trailAtr: NaN, activation: 0, timeStop: NaN }],
  ruleOfExpert: new Uint8Array(0),
  enabled: false,
  perExpert: false,
  usesAtr: false,
  usesTimeStop: false,
  atrPeriod: 14,
  cooldown: Infinity,
};

export function exitPlan(config: Pick<ArenaConfig, 'exits' | 'experts'>): ExitPlan {
  const x = config.exits;
  const global = resolve(x);
  const names = expertNames(config);
  const rules = [global];
  const ruleOfExpert = new Uint8Array(names.length);
  names.forEach((n, e) => {
    const own = x.experts[n];
    if (own === undefined) return;
    ruleOfExpert[e] = rules.length;
    rules.push(resolve(own, global));
  });
  return {
    rules,
    ruleOfExpert,
    enabled: rules.some(active),
    perExpert: rules.length > 1,
    usesAtr: rules.some((r) => r.stopAtr === r.stopAtr || r.targetAtr === r.targetAtr || r.trailAtr === r.trailAtr),
    usesTimeStop: rules.some((r) => r.timeStop === r.timeStop),
    atrPeriod: x.atrPeriod,
    cooldown: x.cooldown ?? Infinity,
  };
}

/** Isolated-margin liquidation price of a position entered at `entry` (side +1 long, -1 short); 0 or Infinity: never. */
export function liquidationPrice(side: number, entry: number, leverage: number, maintenance: number): number {
  return side > 0 ? (entry * (1 - 1 / leverage)) / (1 - maintenance) : (entry * (1 + 1 / leverage)) / (1 + maintenance);
}

/**
 * Of two forms of a level (NaN: absent), the one nearer the price: for an adverse level (dir -1) the higher of a
 * long's and the lower of a short's, for a favourable one (dir 1) the lower of a long's and the higher of a short's.
 */
function nearer(side: number, x: number, y: number, dir: number): number {
  if (x !== x) return y;
  if (y !== y) return x;
  return side * dir > 0 ? (x < y ? x : y) : x > y ? x : y;
}

/** A triggered exit: where it fills and why. */
export interface ExitHit {
  reason: number;
  price: number;
}

/**
 * The per-asset exit state: entry, levels, best price since entry, the ATR estimate, and the re-entry lock after a
 * protective exit.
 */
export class ExitState {
  /** average entry price of the open position (NaN when flat) */
  readonly entry: Float64Array;
  /** bar the position opened at */
  readonly entryT: Float64Array;
  /** ATR known when the position opened (NaN before atrPeriod bars) */
  readonly entryAtr: Float64Array;
  /** best price since entry: highest high of a long, lowest low of a short */
  readonly best: Float64Array;
  /** rule set of the open position, and of the order waiting for the next open */
  readonly rule: Uint8Array;
  readonly pendingRule: Uint8Array;
  /** levels of the open position (NaN: none) */
  readonly stop: Float64Array;
  readonly target: Float64Array;
  readonly liquidation: Float64Array;
  /** the open position's trailing stop: its fraction, its distance in price (ATR x multiple), the best price that arms it (NaN: none) */
  readonly trailPct: Float64Array;
  readonly trailDist: Float64Array;
  readonly trailArm: Float64Array;
  /** the open position's time stop, bars (NaN: none) */
  readonly timeStop: Float64Array;
  /** after a protective exit: the side it closed and its bar (0: no lock) */
  readonly lockSide: Int8Array;
  readonly lockT: Float64Array;
  /** Wilder ATR per asset, and how many true ranges it holds */
  readonly atr: Float64Array;
  private readonly atrCount: Float64Array;
  private readonly prevClose: Float64Array;
  private readonly atrSum: Float64Array;
  readonly hit: ExitHit = { reason: 0, price: 0 };

  constructor(
    readonly nAssets: number,
    readonly plan: ExitPlan,
    /** perp: leverage and maintenance margin rate (absent: spot, never liquidated) */
    readonly margin?: { readonly leverage: number; readonly maintenance: number },
  ) {
    const f = (v = NaN) => new Float64Array(nAssets).fill(v);
    this.entry = f();
    this.entryT = f(0);
    this.entryAtr = f();
    this.best = f();
    this.rule = new Uint8Array(nAssets);
    this.pendingRule = new Uint8Array(nAssets);
    this.stop = f();
    this.target = f();
    this.liquidation = f();
    this.trailPct = f();
    this.trailDist = f();
    this.trailArm = f();
    this.timeStop = f();
    this.lockSide = new Int8Array(nAssets);
    this.lockT = f(0);
    this.atr = f();
    this.atrCount = f(0);
    this.prevClose = f();
    this.atrSum = f(0);
  }

  /** A position opened (or flipped) at bar t at `price`: its rule set, entry, ATR and levels. */
  open(a: number, t: number, price: number, side: number): void {
    this.rule[a] = this.pendingRule[a]!;
    this.entry[a] = price;
    this.entryT[a] = t;
    this.entryAtr[a] = this.atr[a]!;
    this.best[a] = price;
    this.lockSide[a] = 0;
    const r = this.plan.rules[this.rule[a]!]!;
    this.trailPct[a] = r.trailPct;
    this.trailDist[a] = r.trailAtr * this.entryAtr[a]!;
    this.timeStop[a] = r.timeStop;
    this.setLevels(a, side);
  }

  /** The position grew: a new average entry price, its levels follow. */
  grow(a: number, entry: number, side: number): void {
    this.entry[a] = entry;
    this.setLevels(a, side);
  }

  /** The position went flat; a protective exit locks re-entry on its side. */
  close(a: number, t: number, side: number, reason: number): void {
    this.entry[a] = NaN;
    this.stop[a] = NaN;
    this.target[a] = NaN;
    this.liquidation[a] = NaN;
    if (reason !== REASON.signal && reason !== REASON.kill) {
      this.lockSide[a] = side;
      this.lockT[a] = t;
    }
  }

  private setLevels(a: number, side: number): void {
    const r = this.plan.rules[this.rule[a]!]!;
    const e = this.entry[a]!;
    const atr = this.entryAtr[a]!;
    // the nearer of the two forms of a level; an absent form (NaN) drops out of the comparison
    this.stop[a] = nearer(side, e * (1 - side * r.stopPct), e - side * r.stopAtr * atr, -1);
    this.target[a] = nearer(side, e * (1 + side * r.targetPct), e + side * r.targetAtr * atr, 1);
    const m = this.margin;
    this.liquidation[a] = m === undefined ? NaN : liquidationPrice(side, e, m.leverage, m.maintenance);
    // armed once the best price is activation x entry past the entry (no trailing stop: never)
    this.trailArm[a] = r.trailPct !== r.trailPct && this.trailDist[a] !== this.trailDist[a] ? NaN : e * (1 + side * r.activation);
  }

  /** The trailing stop's level for a position of `side` (NaN: none, or not armed yet). */
  trailLevel(a: number, side: number): number {
    const arm = this.trailArm[a]!;
    const b = this.best[a]!;
    // NaN arm (no trailing stop) fails the comparison too
    if (!(side * (b - arm) >= 0)) return NaN;
    return nearer(side, b * (1 - side * this.trailPct[a]!), b - side * this.trailDist[a]!, -1);
  }

  /**
   * Bar (open, high, low) against the levels of a position of `side`: fills `hit` and returns true when one
   * triggers. Gap at the open first, then adverse levels before the target. (A stop nearer the entry than the
   * half-spread lies past the open a position entered at: it closes at that open.)
   */
  check(a: number, side: number, open: number, high: number, low: number): boolean {
    const hit = this.hit;
    // the adverse level the price meets first: the highest of a long's, the lowest of a short's
    let adverse = this.stop[a]!;
    let reason: number = REASON.stop;
    const trail = this.trailLevel(a, side);
    if (trail === trail && (adverse !== adverse || side * trail > side * adverse)) {
      adverse = trail;
      reason = REASON.trailing;
    }
    const liq = this.liquidation[a]!;
    if (liq === liq && (adverse !== adverse || side * liq > side * adverse)) {
      adverse = liq;
      reason = REASON.liquidation;
    }
    const target = this.target[a]!;
    const worst = side > 0 ? low : high;
    const bestPx = side > 0 ? high : low;
    if (adverse === adverse && side * (open - adverse) <= 0) {
      hit.reason = reason;
      // isolated margin: a liquidation costs the position's margin however far the price gapped (the insurance fund takes the rest)
      hit.price = reason === REASON.liquidation ? adverse : open;
      return true;
    }
    if (target === target && side * (open - target) >= 0) {
      hit.reason = REASON.target;
      hit.price = open;
      return true;
    }
    if (adverse === adverse && side * (worst - adverse) <= 0) {
      hit.reason = reason;
      hit.price = adverse;
      return true;
    }
    if (target === target && side * (bestPx - target) >= 0) {
      hit.reason = REASON.target;
      hit.price = target;
      return true;
    }
    return false;
  }

  /** After a bar's checks: the best price takes in the bar's extreme. */
  updateBest(a: number, side: number, high: number, low: number): void {
    const b = this.best[a]!;
    if (side > 0 ? high > b : low < b) this.best[a] = side > 0 ? high : low;
  }

  /** At a bar's close (present cells): the Wilder ATR takes in the bar's true range. */
  updateAtr(a: number, high: number, low: number, close: number): void {
    const pc = this.prevClose[a]!;
    let tr = high - low;
    if (pc === pc) {
      const up = high - pc;
      const down = pc - low;
      if (up > tr) tr = up;
      if (down > tr) tr = down;
    }
    this.prevClose[a] = close;
    if (!(tr >= 0)) return;
    const n = this.atrCount[a]!;
    const p = this.plan.atrPeriod;
    if (n < p) {
      // the first ATR is the mean of the first `atrPeriod` true ranges (NaN until then)
      const sum = this.atrSum[a]! + tr;
      this.atrSum[a] = sum;
      this.atrCount[a] = n + 1;
      if (n + 1 === p) this.atr[a] = sum / p;
      return;
    }
    this.atr[a] = this.atr[a]! + (tr - this.atr[a]!) / p;
  }
}

/**
 * Per asset, the rule set a position opened now gets: that of the expert whose weighted exposure pushes hardest in
 * the target's direction (the global one when none does). exposure[e * A + a], weights[a * E + e].
 */
export function dominantRules(plan: ExitPlan, target: Float64Array, exposure: Float64Array, weights: Float32Array | Float64Array, out: Uint8Array): void {
  const A = out.length;
  const E = plan.ruleOfExpert.length;
  for (let a = 0; a < A; a++) {
    const sign = target[a]! > 0 ? 1 : target[a]! < 0 ? -1 : 0;
    let best = 0;
    let bestE = -1;
    for (let e = 0; e < E; e++) {
      const c = sign * weights[a * E + e]! * exposure[e * A + a]!;
      if (c > best) {
        best = c;
        bestE = e;
      }
    }
    out[a] = bestE < 0 ? 0 : plan.ruleOfExpert[bestE]!;
  }
}
