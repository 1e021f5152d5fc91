import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('config schema', () => {
  it('fills every default from an empty object', () => {
    const c = parseConfig({});
    expect(c.broker.feeBps).toBe(10);
    expect(c.portfolio.maxGross).toBe(1);
    expect(c.experts.trend.slow).toBe(100);
    expect(c.data.dir).toBeUndefined();
  });

  it('reports every violation at once, unknown keys included, with their keys', () => {
    let message = '';
    try {
      parseConfig({ portfolio: { maxGross: -1, colour: 'red' }, broker: { feeBps: 'ten' }, risky: {} });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^ARENA_E_CONFIG: /);
    expect(message).toContain('portfolio.maxGross must be > 0');
    expect(message).toContain('portfolio.colour is not a known key');
    expect(message).toContain('broker.feeBps');
    expect(message).toContain('risky is not a known key');
    expect(message.split('; ').length).toBe(4);
  });

  it('checks cross-field rules and ranges', () => {
    expect(() => parseConfig({ experts: { trend: { fast: 50, slow: 20 } } })).toThrow(/fast must be < experts.trend.slow/);
    expect(() => parseConfig({ broker: { maxParticipation: 1.5 } })).toThrow(/broker.maxParticipation must be in \(0,1\]/);
    expect(() => parseConfig({ experts: { weights: { trend: 0 } } })).toThrow(/at least one expert weight/);
    expect(() => parseConfig({ experts: { weights: { momentum: 1 } } })).toThrow(/experts.weights/);
    // a track record of 1-4 windows could never give a t-statistic: refused, 0 (off) and 5+ accepted
    expect(() => parseConfig({ contest: { trackRecord: { windows: 3 } } })).toThrow(/contest.trackRecord.windows must be 0 \(no track record\) or >= 5/);
    expect(parseConfig({ contest: { trackRecord: { windows: 0 } } }).contest.trackRecord).toEqual({ windows: 0, minT: 1.645 });
    expect(parseConfig({ contest: { trackRecord: { windows: 5, minT: 2 } } }).contest.trackRecord).toEqual({ windows: 5, minT: 2 });
  });
});
