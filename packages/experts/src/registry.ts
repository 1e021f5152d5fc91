/** Builds the configured experts by name. */
import { type ArenaConfig, type ExpertName, EXPERT_NAMES, E, arenaError } from '@arena/core';
import type { Expert } from './expert.ts';
import { TrendExpert } from './trend.ts';
import { ReversalExpert } from './reversal.ts';
import { BreakoutExpert } from './breakout.ts';
import { PositioningExpert } from './positioning.ts';

export function createExpert(name: string, config: ArenaConfig['experts']): Expert {
  switch (name as ExpertName) {
    case 'trend':
      return new TrendExpert(config.trend);
    case 'reversal':
      return new ReversalExpert(config.reversal);
    case 'breakout':
      return new BreakoutExpert(config.breakout);
    case 'positioning':
      return new PositioningExpert(config.positioning);
    default:
      throw arenaError(E.EXPERT_UNKNOWN, name, EXPERT_NAMES.join(', '));
  }
}

/** Every rule expert, in the canonical order of EXPERT_NAMES. */
export function createExperts(config: ArenaConfig['experts']): Expert[] {
  return EXPERT_NAMES.map((n) => createExpert(n, config));
}
