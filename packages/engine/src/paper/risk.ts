/**
 * The risk kill switch: when equity falls `maxDrawdown` below its peak, or `maxDailyLoss` below the first equity
 * of the UTC day, the book is flattened and trading pauses (for good after a drawdown halt, until the next UTC day
 * after a daily-loss halt), with the reason logged and recorded.
 */
import type { ArenaConfig } from '@arena/core';

const DAY = 86_400_000;

export class RiskGuard {
  peak: number;
  drawdown = 0;
  paused = false;
  /** why trading is paused */
  reason: string | undefined;
  private day = -1;
  private dayStart = 0;
  private pausedForDay = false;

  constructor(
    readonly limits: ArenaConfig['risk'],
    initialEquity: number,
  ) {
    this.peak = initialEquity;
  }

  /** A pause asked for by an operator (the dashboard); holds until resume(). */
  pauseManually(reason: string): void {
    this.paused = true;
    this.pausedForDay = false;
    this.reason = reason;
  }

  resume(): void {
    this.paused = false;
    this.pausedForDay = false;
    this.reason = undefined;
  }

  /** Updates with the bar's equity; returns the reason when a switch fires at this bar. */
  check(ts: number, equity: number): string | undefined {
    const day = Math.floor(ts / DAY);
    if (day !== this.day) {
      this.day = day;
      this.dayStart = equity;
      if (this.pausedForDay) {
        this.pausedForDay = false;
        this.paused = false;
        this.reason = undefined;
      }
    }
    if (equity > this.peak) this.peak = equity;
    this.drawdown = this.peak > 0 ? 1 - equity / this.peak : 0;
    if (this.paused) return undefined;
    const at = new Date(ts).toISOString();
    if (this.drawdown >= this.limits.maxDrawdown) {
      this.paused = true;
      this.reason = `kill switch at ${at}: drawdown ${(this.drawdown * 100).toFixed(2)}% from the peak ${this.peak.toFixed(2)} reached risk.maxDrawdown ${(this.limits.maxDrawdown * 100).toFixed(2)}%: flattened, trading paused`;
      return this.reason;
    }
    const dayLoss = this.dayStart > 0 ? 1 - equity / this.dayStart : 0;
    if (dayLoss >= this.limits.maxDailyLoss) {
      this.paused = true;
      this.pausedForDay = true;
      this.reason = `kill switch at ${at}: loss ${(dayLoss * 100).toFixed(2)}% since the day's start reached risk.maxDailyLoss ${(this.limits.maxDailyLoss * 100).toFixed(2)}%: flattened, paused until the next UTC day`;
      return this.reason;
    }
    return undefined;
  }
}
