/** Builds the configured experts by name. */
import { type ArenaConfig, type ExpertName, EXPERT_NAMES, ERR, arenaError } from '@arena/core';
import type { Expert } from './expert.ts';
import { TrendExpert } from './trend.ts';
import { ReversalExpert } from './reversal.ts';
import { BreakoutExpert } from './breakout.ts';
import { PositioningExpert } from './positioning.ts';
import { FlatExpert } from './learned.ts';

export function createExpert(name: string, config: ArenaConfig['experts'], learned?: Expert): Expert {
  switch (name as ExpertName) {
    case 'trend':
      return new TrendExpert(config.trend);
    case 'reversal':
      return new ReversalExpert(config.reversal);
    case 'breakout':
      return new BreakoutExpert(config.breakout);
    case 'positioning':
      return new PositioningExpert(config.positioning);
    case 'learned':
      return learned ?? new FlatExpert('learned', 'no model loaded (createLearnedExpert loads it)');
    default:
      throw arenaError(ERR.EXPERT_UNKNOWN, name, EXPERT_NAMES.join(', '));
  }
}

/** Every expert, in the canonical order of EXPERT_NAMES; the learned one as given (loaded), else flat. */
export function createExperts(config: ArenaConfig['experts'], learned?: Expert): Expert[] {
  return EXPERT_NAMES.map((n) => createExpert(n, config, learned));
}
