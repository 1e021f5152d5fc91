/** @arena/contest: agents, their proposals and scoring, the score model, adoption and allocation (ContestTrade style). */
export * from './agents.ts';
export * from './allocation.ts';
export * from './contest.ts';
export * from './proposals.ts';
export * from './ridge.ts';
export * from './run.ts';
export * from './sink.ts';
export * from './stats.ts';
export * from './trackRecord.ts';
export * from './stepper.ts';
export * from './dataTeam.ts';
export * from './baselines.ts';
export * from './dataTeamStage.ts';
