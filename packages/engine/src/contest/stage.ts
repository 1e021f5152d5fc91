/** The contest's settings as a config gives them, and the data team's summary (backtest and eval reports). */
import type { ArenaConfig } from '@arena/core';
import type { ContestSettings, DataTeamFrame } from '@arena/contest';

export function contestSettings(config: ArenaConfig): ContestSettings {
  const { enabled: _e, agents: _a, seed: _s, horizons: _h, dataTeam: _d, ...settings } = config.contest;
  return settings;
}

/** The data team's part of a summary: each variant, how often it was chosen and its mean trailing IC. */
export function summariseDataTeam(d: { readonly variants: readonly { readonly name: string }[]; readonly frames: readonly DataTeamFrame[] }): { name: string; chosenShare: number; meanIc: number | null }[] {
  return d.variants.map((v, k) => {
    const ics = d.frames.map((f) => f.ic[k]!).filter(Number.isFinite);
    return {
      name: v.name,
      chosenShare: d.frames.length > 0 ? d.frames.filter((f) => f.chosen === k).length / d.frames.length : 0,
      meanIc: ics.length > 0 ? ics.reduce((s, x) => s + x, 0) / ics.length : null,
    };
  });
}
