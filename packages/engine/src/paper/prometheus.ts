/** The daemon's Prometheus metrics: counters, gauges and a step-latency histogram, rendered in the text format. */

const BUCKETS_MS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];

export class PaperMetrics {
  eventsIn = 0;
  steps = 0;
  readonly rejected = new Map<string, number>();
  /** user experts disabled for a fault (a throw, a non-finite exposure) since the start */
  expertsDisabled = 0;
  equity = 0;
  drawdown = 0;
  paused = 0;
  lastTs = 0;
  private readonly buckets = new Float64Array(BUCKETS_MS.length);
  private latencySum = 0;
  private latencyCount = 0;
  readonly started = Date.now();

  constructor(
    readonly backend: string,
    readonly source: string,
  ) {}

  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  get rejectedTotal(): number {
    let n = 0;
    for (const v of this.rejected.values()) n += v;
    return n;
  }

  observeStep(ms: number): void {
    this.latencySum += ms;
    this.latencyCount++;
    for (let i = 0; i < BUCKETS_MS.length; i++) if (ms <= BUCKETS_MS[i]!) this.buckets[i] = this.buckets[i]! + 1;
  }

  render(): string {
    const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines = [
      '# HELP arena_events_in_total Market events received from the source.',
      '# TYPE arena_events_in_total counter',
      `arena_events_in_total ${this.eventsIn}`,
      '# HELP arena_events_rejected_total Events rejected by validation, by reason.',
      '# TYPE arena_events_rejected_total counter',
      ...(this.rejected.size === 0 ? ['arena_events_rejected_total{reason="none"} 0'] : [...this.rejected].map(([r, n]) => `arena_events_rejected_total{reason="${esc(r)}"} ${n}`)),
      '# HELP arena_experts_disabled_total User experts disabled mid-run for a fault (the reason is in the ledger and the log).',
      '# TYPE arena_experts_disabled_total counter',
      `arena_experts_disabled_total ${this.expertsDisabled}`,
      '# HELP arena_steps_total Pipeline steps (bar times) processed.',
      '# TYPE arena_steps_total counter',
      `arena_steps_total ${this.steps}`,
      '# HELP arena_step_latency_ms Pipeline step latency, milliseconds (ledger transaction included).',
      '# TYPE arena_step_latency_ms histogram',
      ...BUCKETS_MS.map((b, i) => `arena_step_latency_ms_bucket{le="${b}"} ${this.buckets[i]}`),
      `arena_step_latency_ms_bucket{le="+Inf"} ${this.latencyCount}`,
      `arena_step_latency_ms_sum ${this.latencySum}`,
      `arena_step_latency_ms_count ${this.latencyCount}`,
      '# HELP arena_equity Account equity, quote currency.',
      '# TYPE arena_equity gauge',
      `arena_equity ${this.equity}`,
      '# HELP arena_drawdown Drawdown from the equity peak, fraction.',
      '# TYPE arena_drawdown gauge',
      `arena_drawdown ${this.drawdown}`,
      '# HELP arena_paused 1 while a kill switch holds trading.',
      '# TYPE arena_paused gauge',
      `arena_paused ${this.paused}`,
      '# HELP arena_info The compute backend and the source.',
      '# TYPE arena_info gauge',
      `arena_info{backend="${esc(this.backend)}",source="${esc(this.source)}"} 1`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
