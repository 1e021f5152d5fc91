/** Small SVG helpers for the feature report: escaping, number formats, colour ramps, date ticks. No scripts, no network. */

/** Escapes text for HTML/SVG element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A coordinate with one decimal: enough for screen pixels, and short. */
export function c(v: number): string {
  return Number.isFinite(v) ? (Math.round(v * 10) / 10).toString() : '0';
}

/** A number with fixed decimals, or an en dash when it is not finite (never 'NaN' in the page). */
export function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** A share as a percentage with one decimal, or an en dash. */
export function percent(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`;
}

/** One colour per feature group (stable across plots). */
export const GROUP_COLORS: Readonly<Record<string, string>> = {
  returns: '#1f5fbf',
  volatility: '#c23b3b',
  volume: '#2a9d45',
  oscillator: '#e07b00',
  trend: '#7b4fbf',
  shape: '#8c6d46',
  liquidity: '#1fa3b5',
  cross_asset: '#d45fa8',
  calendar: '#6b6b6b',
  funding: '#b5a300',
};

export const groupColor = (group: string): string => GROUP_COLORS[group] ?? '#444444';

type Rgb = readonly [number, number, number];

const hex = (v: number): string => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');

/** Linear interpolation through colour stops, spaced evenly over [0, 1]; t outside is clamped, NaN gives the first stop. */
export function ramp(stops: readonly Rgb[], t: number): string {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const seg = Math.min(stops.length - 2, Math.floor(x * (stops.length - 1)));
  const u = x * (stops.length - 1) - seg;
  const a = stops[seg]!;
  const b = stops[seg + 1]!;
  return `#${hex(a[0] + (b[0] - a[0]) * u)}${hex(a[1] + (b[1] - a[1]) * u)}${hex(a[2] + (b[2] - a[2]) * u)}`;
}

/** Light to dark blue: selection weights. */
export const BLUES: readonly Rgb[] = [
  [222, 235, 247],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

/** White to dark red: |correlation|. */
export const HEAT: readonly Rgb[] = [
  [255, 255, 255],
  [253, 212, 158],
  [239, 101, 72],
  [127, 0, 0],
];

/** A horizontal colour legend: a gradient bar from lo to hi with end labels. */
export function gradientLegend(id: string, stops: readonly Rgb[], x: number, y: number, w: number, lo: string, hi: string, label: string): string {
  const stopTags = stops.map((_, i) => {
    const t = i / (stops.length - 1);
    return `<stop offset="${(t * 100).toFixed(0)}%" stop-color="${ramp(stops, t)}"/>`;
  });
  return (
    `<defs><linearGradient id="${id}" x1="0" x2="1" y1="0" y2="0">${stopTags.join('')}</linearGradient></defs>` +
    `<text class="tick" x="${c(x - 6)}" y="${c(y + 5)}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)} ${escapeXml(lo)}</text>` +
    `<rect x="${c(x)}" y="${c(y)}" width="${c(w)}" height="10" fill="url(#${id})" stroke="#9aa3b2" stroke-width="0.5"/>` +
    `<text class="tick" x="${c(x + w + 6)}" y="${c(y + 5)}" dominant-baseline="middle">${escapeXml(hi)}</text>`
  );
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const pad2 = (v: number): string => (v < 10 ? `0${v}` : `${v}`);

/** Date-aligned ticks over [t0, t1] (ms UTC): the smallest step among hours..years that gives at most ~maxTicks ticks. */
export function timeTicks(t0: number, t1: number, maxTicks = 7): { value: number; label: string }[] {
  const span = t1 - t0;
  if (!(span > 0)) return [{ value: t0, label: new Date(t0).toISOString().slice(0, 10) }];
  const fixedSteps = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];
  const step = fixedSteps.find((s) => span / s <= maxTicks);
  if (step !== undefined) {
    const ticks: { value: number; label: string }[] = [];
    for (let v = Math.ceil(t0 / step) * step; v <= t1; v += step) {
      const d = new Date(v);
      ticks.push({ value: v, label: step >= DAY ? d.toISOString().slice(0, 10) : `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:00` });
    }
    return ticks;
  }
  const months = [1, 2, 3, 6, 12, 24, 60, 120].find((m) => span / (m * 30.44 * DAY) <= maxTicks) ?? 240;
  const start = new Date(t0);
  let m = start.getUTCFullYear() * 12 + start.getUTCMonth() + (t0 > Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) ? 1 : 0);
  m = Math.ceil(m / months) * months;
  const ticks: { value: number; label: string }[] = [];
  for (;; m += months) {
    const y = Math.floor(m / 12);
    const v = Date.UTC(y, m % 12, 1);
    if (v > t1) break;
    ticks.push({ value: v, label: months >= 12 ? `${y}` : `${y}-${pad2((m % 12) + 1)}` });
  }
  return ticks;
}
