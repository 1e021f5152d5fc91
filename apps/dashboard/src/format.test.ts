import { describe, expect, it } from 'vitest';
import { formatLag } from '../ui/format.ts';

describe('formatLag', () => {
  it('tenths of a second under two minutes, then minutes, hours, days (a replayed 2024 stream is days behind)', () => {
    expect(formatLag(1500)).toBe('1.5 s');
    expect(formatLag(-200)).toBe('-0.2 s');
    expect(formatLag(119_000)).toBe('119.0 s');
    expect(formatLag(600_000)).toBe('10 min');
    expect(formatLag(3 * 3_600_000)).toBe('3 h');
    expect(formatLag(70_938_260_400)).toBe('821 d');
  });
});
