/** Points of a sparse series put on a denser time grid, for charts that share a time axis. */

/**
 * The times to draw a series recorded at `at` (sorted) on, given the times another chart draws (`grid`, sorted):
 * every time of either from the series' first point on, each with the index of the series' point in effect then
 * (the last one at or before it). Charts that index their x axis by point (lightweight-charts) then space the two
 * alike, and a value holds until the next one is recorded.
 */
export function carryForward(at: readonly number[], grid: readonly number[]): { time: number; index: number }[] {
  const out: { time: number; index: number }[] = [];
  if (at.length === 0) return out;
  let i = 0;
  let g = 0;
  while (g < grid.length && grid[g]! < at[0]!) g++;
  while (i < at.length || g < grid.length) {
    const next = i < at.length && (g >= grid.length || at[i]! <= grid[g]!) ? at[i]! : grid[g]!;
    while (i < at.length && at[i]! <= next) i++;
    while (g < grid.length && grid[g]! <= next) g++;
    out.push({ time: next, index: i - 1 });
  }
  return out;
}
