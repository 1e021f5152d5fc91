/**
 * Where the contest's record goes: every proposal, every realised outcome per horizon and every window's scores.
 * The engine's ledger implements it on SQLite; calls come in a fixed order per bar (proposals, then the outcomes
 * realised at that bar by ascending horizon, then the window's frame), the same in batch and step mode.
 */
import type { AgentSpec } from './agents.ts';
import type { WindowFrame } from './contest.ts';

export interface ContestSink {
  /** once, before the first bar */
  begin(agents: readonly AgentSpec[], symbols: readonly string[], horizons: readonly number[], experts: readonly string[]): void;
  /** every agent's proposal at bar ts: row[offset + agent * assets + a] */
  proposals(ts: number, row: Float32Array, offset: number): void;
  /** the rewards after costs of the proposals made at `ts`, realised at `realizedTs` after `horizon` bars; rewards[offset + agent] */
  outcomes(ts: number, horizon: number, realizedTs: number, rewards: Float64Array, offset: number): void;
  window(frame: WindowFrame): void;
}
