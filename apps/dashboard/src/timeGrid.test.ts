import { describe, expect, it } from 'vitest';
import { carryForward } from '../ui/timeGrid.ts';

describe('carryForward', () => {
  it('every time of either series from the first point on, each with the point in effect then', () => {
    expect(carryForward([3, 7], [1, 2, 3, 4, 5, 8, 9])).toEqual([
      { time: 3, index: 0 },
      { time: 4, index: 0 },
      { time: 5, index: 0 },
      { time: 7, index: 1 },
      { time: 8, index: 1 },
      { time: 9, index: 1 },
    ]);
  });

  it('points past the grid, duplicates, and empty inputs', () => {
    expect(carryForward([2, 4, 6], [4])).toEqual([
      { time: 2, index: 0 },
      { time: 4, index: 1 },
      { time: 6, index: 2 },
    ]);
    expect(carryForward([5, 5], [5, 5, 6])).toEqual([
      { time: 5, index: 1 },
      { time: 6, index: 1 },
    ]);
    expect(carryForward([], [1, 2])).toEqual([]);
    expect(carryForward([1], [])).toEqual([{ time: 1, index: 0 }]);
  });
});
