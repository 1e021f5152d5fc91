/**
 * The features stage bar by bar, shared by the learned expert, the router and the data team: the catalogue's row
 * (FeatureStream), its z-scores (ZScoreStream, a ring of recent bars), the window the selectors read
 * (FeatureWindow), and one SelectorStream per distinct selector config.
 */
import type { Timeframe } from '@arena/core';
import { FeatureStream } from '../catalogue.ts';
import type { FeatureBar } from '../catalogue/context.ts';
import type { Selection } from '../selection.ts';
import { type SelectorConfigInput, selectorConfig } from '../selectorConfig.ts';
import { FeatureWindow } from './featureWindow.ts';
import { type SelectionRunner, SelectorStream, inlineSelection, selectorSpan } from './selectorStream.ts';
import { ZScoreStream } from './zScores.ts';

export interface OnlineFeaturesOptions {
  readonly hasFunding: boolean;
  /** bars of z-scores kept for readers (the conv net's window) */
  readonly keep: number;
  /** the selectors by name (the learned expert's, the router's, the data team's variants); equal configs share a stream */
  readonly selectors: Readonly<Record<string, SelectorConfigInput>>;
  readonly runner?: SelectionRunner;
}

export type TakenSelection = Selection & { readonly from: number };

export class OnlineFeatures {
  readonly stream: FeatureStream;
  readonly z: ZScoreStream;
  readonly window: FeatureWindow;
  /** selector streams by config key */
  private readonly streams = new Map<string, SelectorStream>();
  /** selector name -> config key */
  private readonly keyOf = new Map<string, string>();
  /** per config key: the mask of the selection in effect (one array per selection, so identity says it changed) */
  private readonly masks = new Map<string, { selection: TakenSelection; mask: Float32Array }>();
  private t = -1;

  constructor(symbols: readonly string[], timeframe: Timeframe, o: OnlineFeaturesOptions) {
    this.stream = new FeatureStream(symbols, { hasFunding: o.hasFunding });
    const F = this.stream.features.length;
    this.z = new ZScoreStream(symbols.length, F, o.keep);
    const configs = Object.entries(o.selectors).map(([name, c]) => [name, selectorConfig(c)] as const);
    const span = Math.max(1, ...configs.map(([, c]) => selectorSpan(c)));
    this.window = new FeatureWindow(this.stream.features, symbols, timeframe, span);
    for (const [name, c] of configs) {
      const key = JSON.stringify(c);
      this.keyOf.set(name, key);
      if (!this.streams.has(key)) this.streams.set(key, new SelectorStream(this.window, c, o.runner ?? inlineSelection));
    }
  }

  get nFeatures(): number {
    return this.stream.features.length;
  }

  /** The latest bar's index (-1 before the first). */
  get last(): number {
    return this.t;
  }

  /** ms the latest push spent waiting for selections due at its bar (a worker still busy with them) */
  waitedMs = 0;

  /** A bar of every asset: features, z-scores, the window, then every selector (awaiting a selection due now). */
  async push(bar: FeatureBar): Promise<void> {
    this.add(bar);
    this.waitedMs = 0;
    for (const s of this.streams.values()) {
      const pending = s.pendingOutcome(this.t);
      if (pending instanceof Promise) {
        const t0 = performance.now();
        await pending;
        this.waitedMs += performance.now() - t0;
      }
      await s.step(this.t);
    }
  }

  /** push with selections computed in this thread (inlineSelection): the same values, no await. */
  pushSync(bar: FeatureBar): void {
    this.add(bar);
    for (const s of this.streams.values()) s.stepSync(this.t);
  }

  private add(bar: FeatureBar): void {
    const row = this.stream.push(bar);
    this.z.push(row);
    this.window.push(bar.ts, row, bar.close, bar.present);
    this.t++;
  }

  /** The selection of a named selector in effect at the latest bar. */
  selection(name: string): TakenSelection | undefined {
    return this.selector(name).current;
  }

  /** The 0/1 mask of the named selector's selection in effect (a new array when the selection changes). */
  mask(name: string): Float32Array | undefined {
    const key = this.keyOf.get(name);
    const current = this.selection(name);
    if (current === undefined || key === undefined) return undefined;
    const hit = this.masks.get(key);
    if (hit?.selection === current) return hit.mask;
    const mask = selectionMask(current, this.nFeatures);
    this.masks.set(key, { selection: current, mask });
    return mask;
  }

  /** The named selector's stream (its history is every selection that took over). */
  selector(name: string): SelectorStream {
    const key = this.keyOf.get(name);
    if (key === undefined) throw new Error(`no selector named ${name}; known: ${[...this.keyOf.keys()].join(', ')}`);
    return this.streams.get(key)!;
  }
}

/** A selection's 0/1 mask over the catalogue's features. */
export function selectionMask(selection: Selection | undefined, nFeatures: number, out: Float32Array = new Float32Array(nFeatures)): Float32Array {
  out.fill(0);
  if (selection !== undefined) for (const i of selection.indices) out[i] = 1;
  return out;
}
