/** Text for the dashboard's status line. */

/** A lag behind the wall clock: tenths of a second under two minutes, then whole minutes, hours, days. */
export function formatLag(ms: number): string {
  const s = ms / 1000;
  const abs = Math.abs(s);
  if (abs < 120) return `${s.toFixed(1)} s`;
  if (abs < 7200) return `${Math.round(s / 60)} min`;
  if (abs < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}
