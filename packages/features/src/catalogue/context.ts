/**
 * The feature catalogue as a stream: every feature and every shared intermediate is a node holding one row of
 * values (one per asset, or one for the market), updated once per bar in the order the nodes were created (a
 * node's inputs are created before it, so that order is a topological one). Nodes are memoised by key, so a
 * stream computes each intermediate once per bar. A backtest's whole panel and a daemon's newest bar run the same
 * code: computeFeatures pushes every row of a panel through a stream.
 */
import { AtrStream, CrossSectionalRankRow, EmaStream, LogReturnStream, RealizedVolStream, RollingCorrelationStream, RollingExtremeStream, RollingMeanStream, RollingMomentsStream, RsiStream, crossSectionalZScoreRow } from '@arena/kernels';
import type { FeatureInfo } from '../featureSet.ts';

/** One bar of every asset, as the stream reads it (views of a panel's row, or a live bar's arrays). */
export interface FeatureBar {
  /** open time, ms */
  readonly ts: number;
  readonly open: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  readonly low: ArrayLike<number>;
  readonly close: ArrayLike<number>;
  readonly volume: ArrayLike<number>;
  /** 1 where the asset has a bar */
  readonly present: ArrayLike<number>;
  /** funding rate per 8h interval known at the bar (perpetuals); absent: no funding data */
  readonly funding?: ArrayLike<number>;
}

/** A catalogue entry: its description plus the node that computes its row. */
export interface FeatureDef extends FeatureInfo {
  stream(ctx: FeatureContext): FeatureNode;
}

export interface FeatureNode {
  /** the latest bar's values */
  readonly value: Float64Array;
  update(): void;
}

export class FeatureContext {
  /** the bar being pushed */
  bar!: FeatureBar;
  private readonly nodes: FeatureNode[] = [];
  private readonly memo = new Map<string, FeatureNode>();

  constructor(
    readonly symbols: readonly string[],
    readonly hasFunding: boolean,
  ) {}

  get nAssets(): number {
    return this.symbols.length;
  }

  /** Runs every node on the bar, in creation order. */
  push(bar: FeatureBar): void {
    this.bar = bar;
    for (const n of this.nodes) n.update();
  }

  /** A node of `size` values (default one per asset), made once per key; `update` fills its row from its inputs. */
  node(key: string, update: (out: Float64Array) => void, size = this.nAssets): FeatureNode {
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const value = new Float64Array(size);
    const n: FeatureNode = { value, update: () => update(value) };
    this.memo.set(key, n);
    this.nodes.push(n);
    return n;
  }

  /** A field of the bar (copied: the bar's arrays may be any ArrayLike). */
  field(name: 'open' | 'high' | 'low' | 'close' | 'volume'): FeatureNode {
    return this.node(`bar:${name}`, (out) => {
      const x = this.bar[name];
      for (let a = 0; a < out.length; a++) out[a] = x[a]!;
    });
  }

  /** The funding row, NaN everywhere without funding data. */
  funding(): FeatureNode {
    return this.node('bar:funding', (out) => {
      const f = this.bar.funding;
      if (f === undefined) out.fill(NaN);
      else for (let a = 0; a < out.length; a++) out[a] = f[a]!;
    });
  }

  /** ln(close_t / close_{t-lag}) */
  logReturns(lag: number): FeatureNode {
    const close = this.field('close');
    const s = new LogReturnStream(this.nAssets, lag);
    return this.node(`ret:${lag}`, (out) => s.push(close.value, 0, out, 0));
  }

  /** sample std of the last `window` one-bar log returns, per bar */
  realizedVol(window: number): FeatureNode {
    const close = this.field('close');
    const s = new RealizedVolStream(this.nAssets, window);
    return this.node(`rvol:${window}`, (out) => s.push(close.value, 0, out, 0));
  }

  rollingMean(key: string, src: FeatureNode, window: number): FeatureNode {
    const s = new RollingMeanStream(src.value.length, window);
    return this.node(`mean:${key}:${window}`, (out) => s.push(src.value, 0, out, 0), src.value.length);
  }

  /** (x - mean) / population std over the last `window` rows of src. */
  rollingZScore(key: string, src: FeatureNode, window: number): FeatureNode {
    const m = new RollingMomentsStream(src.value.length, window);
    return this.node(`z:${key}:${window}`, (out) => {
      m.push(src.value, 0);
      m.zScore(src.value, 0, out, 0);
    });
  }

  rollingExtreme(key: string, src: FeatureNode, window: number, max: boolean): FeatureNode {
    const s = new RollingExtremeStream(this.nAssets, window, max);
    return this.node(`${max ? 'max' : 'min'}:${key}:${window}`, (out) => s.push(src.value, 0, out, 0));
  }

  ema(span: number): FeatureNode {
    const close = this.field('close');
    const s = new EmaStream(this.nAssets, 2 / (span + 1));
    return this.node(`ema:${span}`, (out) => {
      s.push(close.value, 0);
      out.set(s.value);
    });
  }

  rsi(window: number): FeatureNode {
    const close = this.field('close');
    const s = new RsiStream(this.nAssets, window);
    return this.node(`rsi:${window}`, (out) => s.push(close.value, 0, out, 0));
  }

  atr(window: number): FeatureNode {
    const [high, low, close] = [this.field('high'), this.field('low'), this.field('close')];
    const s = new AtrStream(this.nAssets, window);
    return this.node(`atr:${window}`, (out) => s.push(high.value, low.value, close.value, 0, out, 0));
  }

  /** |ln(close_t / close_{t-1})| */
  absReturns(): FeatureNode {
    return this.map1('absret', this.logReturns(1), Math.abs);
  }

  /** close x volume */
  dollarVolume(): FeatureNode {
    return this.map2('dollarvol', this.field('close'), this.field('volume'), (c, v) => c * v);
  }

  /** The market's one-bar log return: the mean of the present assets' finite returns (NaN when none has one). */
  marketReturns(): FeatureNode {
    const r = this.logReturns(1);
    return this.node(
      'market',
      (out) => {
        const present = this.bar.present;
        let sum = 0;
        let n = 0;
        for (let a = 0; a < r.value.length; a++) {
          const v = r.value[a]!;
          if (present[a] && v === v) {
            sum += v;
            n++;
          }
        }
        out[0] = n > 0 ? sum / n : NaN;
      },
      1,
    );
  }

  /** The asset returns with the market return appended as column nAssets. */
  returnsWithMarket(): FeatureNode {
    const r = this.logReturns(1);
    const market = this.marketReturns();
    return this.node(
      'ret+market',
      (out) => {
        out.set(r.value);
        out[r.value.length] = market.value[0]!;
      },
      this.nAssets + 1,
    );
  }

  /** The market's log return over the last `window` bars (the sum of its one-bar returns), broadcast to every asset. */
  marketReturnOver(window: number): FeatureNode {
    const mean = this.rollingMean('market', this.marketReturns(), window);
    return this.node(`market:${window}`, (out) => out.fill(mean.value[0]! * window));
  }

  /** Rolling correlation of every asset's one-bar returns with column `ref` of returns-with-market (nAssets = the market). */
  correlationWith(ref: number, window: number): FeatureNode {
    const rm = this.returnsWithMarket();
    const s = new RollingCorrelationStream(this.nAssets + 1, window, ref);
    const row = new Float64Array(this.nAssets + 1);
    return this.node(`corr:${ref}:${window}`, (out) => {
      s.push(rm.value, 0, row, 0);
      out.set(row.subarray(0, out.length));
    });
  }

  /** Population std of the last `window` rows of returns-with-market (nAssets + 1 values). */
  returnsStd(window: number): FeatureNode {
    const rm = this.returnsWithMarket();
    const m = new RollingMomentsStream(this.nAssets + 1, window);
    return this.node(
      `retstd:${window}`,
      (out) => {
        m.push(rm.value, 0);
        m.std(out, 0);
      },
      this.nAssets + 1,
    );
  }

  /** mean / sample std of the last `window` one-bar log returns. */
  rollingSharpe(window: number): FeatureNode {
    const r = this.logReturns(1);
    const m = new RollingMomentsStream(this.nAssets, window);
    return this.node(`sharpe:${window}`, (out) => {
      m.push(r.value, 0);
      m.sharpe(out, 0);
    });
  }

  crossSectionalRank(key: string, src: FeatureNode): FeatureNode {
    const rank = new CrossSectionalRankRow(this.nAssets);
    return this.node(`xrank:${key}`, (out) => rank.push(src.value, 0, out, 0));
  }

  crossSectionalZScore(key: string, src: FeatureNode): FeatureNode {
    return this.node(`xz:${key}`, (out) => crossSectionalZScoreRow(src.value, 0, out.length, out, 0));
  }

  /** f over every value of src (NaN in, NaN out for the usual Math functions). */
  map1(key: string, src: FeatureNode, f: (v: number) => number): FeatureNode {
    return this.node(key, (out) => {
      for (let a = 0; a < out.length; a++) out[a] = f(src.value[a]!);
    });
  }

  map2(key: string, x: FeatureNode, y: FeatureNode, f: (a: number, b: number) => number): FeatureNode {
    return this.node(key, (out) => {
      for (let a = 0; a < out.length; a++) out[a] = f(x.value[a]!, y.value[a]!);
    });
  }

  /** x / y where y > 0, else NaN */
  ratio(key: string, x: FeatureNode, y: FeatureNode): FeatureNode {
    return this.map2(key, x, y, safeRatio);
  }

  /** ln(x / y) where both are > 0, else NaN */
  logRatio(key: string, x: FeatureNode, y: FeatureNode): FeatureNode {
    return this.map2(key, x, y, logRatio);
  }

  /**
   * NaN where an asset has fewer than `bars` present bars so far: the warm-up of EMA-based features (their streams
   * seed at the first value), so that their first value comes `bars - 1` rows in like a rolling window's.
   */
  warmup(key: string, src: FeatureNode, bars: number): FeatureNode {
    const seen = new Int32Array(this.nAssets);
    return this.node(`warmup:${key}:${bars}`, (out) => {
      const present = this.bar.present;
      for (let a = 0; a < out.length; a++) {
        if (seen[a]! < bars) seen[a] = seen[a]! + (present[a] ? 1 : 0);
        out[a] = seen[a]! < bars ? NaN : src.value[a]!;
      }
    });
  }

  /** The column of the first symbol starting with BTC, else -1. */
  btcColumn(): number {
    return this.symbols.findIndex((s) => s.toUpperCase().startsWith('BTC'));
  }
}

/** a / b where b > 0, else NaN (a zero or negative scale leaves a ratio undefined, not infinite). */
export const safeRatio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/** ln(a / b) where both are > 0, else NaN. */
export const logRatio = (a: number, b: number): number => (a > 0 && b > 0 ? Math.log(a / b) : NaN);
