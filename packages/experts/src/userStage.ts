/**
 * The user's experts over bars, time-major (every asset at bar t, then bar t + 1), in a backtest's precomputation and
 * in the daemon alike, so a module with state shared across assets sees the same calls in both. An expert that fails
 * at a bar (ExpertFault: it threw, or returned a non-finite exposure) is disabled for the rest of the run: its
 * exposure is 0 from that bar on, for every asset, and the fault is reported once with the bar.
 */
import type { BarPanel } from '@arena/core';
import type { ExpertContext } from './expert.ts';
import { ExpertFault, type SpecExpert } from './sdk.ts';
import type { UserExpert } from './userModule.ts';

export interface ExpertFaultRecord {
  readonly expert: string;
  readonly t: number;
  readonly reason: string;
}

export class UserExpertsStage {
  /** [u * nAssets + a] at the latest bar */
  readonly exposure: Float64Array;
  private readonly experts: SpecExpert[];
  private readonly disabled: boolean[];
  private readonly scratch: Float64Array;
  /** each expert's row of `exposure` (views made once, not per bar) */
  private readonly rows: Float64Array[];
  /** every fault so far, in bar order */
  readonly faults: ExpertFaultRecord[] = [];

  constructor(
    user: readonly UserExpert[],
    private readonly ctx: ExpertContext,
  ) {
    const A = ctx.nAssets;
    this.experts = user.map((u) => u.create());
    for (const x of this.experts) x.reset(ctx);
    this.disabled = this.experts.map(() => false);
    this.exposure = new Float64Array(this.experts.length * A);
    this.scratch = new Float64Array(A);
    this.rows = this.experts.map((_, u) => this.exposure.subarray(u * A, (u + 1) * A));
  }

  get names(): string[] {
    return this.experts.map((x) => x.name);
  }

  /** Bar t of every asset; returns the faults of this bar (usually none). */
  step(panel: BarPanel, t: number): ExpertFaultRecord[] | undefined {
    const A = this.ctx.nAssets;
    let faults: ExpertFaultRecord[] | undefined;
    for (let u = 0; u < this.experts.length; u++) {
      if (this.disabled[u]) continue;
      const out = this.rows[u]!;
      try {
        for (let a = 0; a < A; a++) this.experts[u]!.advance(panel, a, t, t + 1, out, this.scratch, 0);
      } catch (e) {
        this.disabled[u] = true;
        out.fill(0);
        const reason = e instanceof ExpertFault ? e.message : `expert ${this.experts[u]!.name} failed at bar ${t}: ${(e as Error)?.message ?? String(e)}`;
        const f = { expert: this.experts[u]!.name, t, reason: `${reason}; disabled for the rest of the run` };
        this.faults.push(f);
        (faults ??= []).push(f);
      }
    }
    return faults;
  }
}
