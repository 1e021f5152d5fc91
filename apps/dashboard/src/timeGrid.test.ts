import { describe, expect, it } from 'vitest';
import { carryForward } from '../ui/timeGrid.ts';

describe('carryForward', () => {
  it('each grid time gets the last point at or before it, -1 before the first', () => {
    expect([...carryForward([3, 7], [1, 2, 3, 4, 5, 8, 9])]).toEqual([-1, -1, 0, 0, 0, 1, 1]);
  });

  it('points between grid times, duplicates, and empty inputs', () => {
    // 2 and 3 fall between grid times: the later one is in effect at 4
    expect([...carryForward([2, 3, 6], [1, 4, 10])]).toEqual([-1, 1, 2]);
    expect([...carryForward([5, 5], [5, 6])]).toEqual([1, 1]);
    expect([...carryForward([], [1, 2])]).toEqual([-1, -1]);
    expect([...carryForward([1], [])]).toEqual([]);
  });
});
