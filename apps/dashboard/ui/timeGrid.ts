/** A sparse series put on another chart's times, for charts that share a time axis. */

/**
 * For each time of `grid` (sorted), the index of the point of `at` (sorted) in effect then: the last one at or before
 * it, -1 before the first. Charts that index their x axis by point (lightweight-charts) then hold the same times at the
 * same indices, and a value holds until the next one is recorded.
 */
export function carryForward(at: readonly number[], grid: readonly number[]): Int32Array {
  const out = new Int32Array(grid.length);
  let i = 0;
  for (let g = 0; g < grid.length; g++) {
    while (i < at.length && at[i]! <= grid[g]!) i++;
    out[g] = i - 1;
  }
  return out;
}
