/** A stacked-area chart of shares over time (expert weights, regime probabilities): bands that add up to 1. */
import { escapeXml, timeTicks } from './svg.ts';

export interface StackedChartOptions {
  readonly title: string;
  /** times, ms UTC */
  readonly x: readonly number[];
  /** [point][band], each row summing to about 1 */
  readonly rows: readonly (readonly number[])[];
  readonly bands: readonly string[];
  readonly colors: readonly string[];
  readonly width?: number;
  readonly height?: number;
}

const M = { left: 48, right: 150, top: 30, bottom: 30 };
/** about the width of a character of the 11px legend font */
const LEGEND_CHAR_PX = 6.3;
const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

export function stackedChart(o: StackedChartOptions): string {
  const W = o.width ?? 960;
  // the legend's column is as wide as its longest name (agent names run to 45 characters), up to 45% of the chart,
  // and the chart as tall as the legend
  const longest = o.bands.reduce((m, b) => Math.max(m, b.length), 0);
  const right = Math.min(Math.round(W * 0.45), Math.max(M.right, 40 + Math.ceil(LEGEND_CHAR_PX * longest)));
  const H = Math.max(o.height ?? 220, M.top + 14 * o.bands.length + 10);
  const n = o.x.length;
  const t0 = o.x[0] ?? 0;
  const t1 = o.x[n - 1] ?? 1;
  const px = (t: number) => M.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - M.left - right);
  const py = (v: number) => H - M.bottom - v * (H - M.top - M.bottom);
  const parts: string[] = [`<text class="title" x="${M.left}" y="18">${escapeXml(o.title)}</text>`];
  const lower = new Float64Array(n);
  o.bands.forEach((band, k) => {
    const upper = Float64Array.from(lower, (v, i) => v + (o.rows[i]?.[k] ?? 0));
    if (n > 0) {
      let d = `M${f1(px(o.x[0]!))} ${f1(py(lower[0]!))}`;
      for (let i = 0; i < n; i++) d += `L${f1(px(o.x[i]!))} ${f1(py(upper[i]!))}`;
      for (let i = n - 1; i >= 0; i--) d += `L${f1(px(o.x[i]!))} ${f1(py(lower[i]!))}`;
      parts.push(`<path d="${d}Z" fill="${o.colors[k % o.colors.length]}" stroke="none"><title>${escapeXml(band)}</title></path>`);
    }
    lower.set(upper);
    const ly = M.top + 14 * k;
    parts.push(`<rect x="${W - right + 12}" y="${ly}" width="10" height="10" fill="${o.colors[k % o.colors.length]}"/><text class="legend" x="${W - right + 28}" y="${ly + 9}">${escapeXml(band)}</text>`);
  });
  for (const v of [0, 0.5, 1]) parts.push(`<text class="tick" x="${M.left - 6}" y="${f1(py(v) + 4)}" text-anchor="end">${v * 100}%</text>`);
  for (const tick of timeTicks(t0, t1)) parts.push(`<text class="tick" x="${f1(px(tick.value))}" y="${H - 10}" text-anchor="middle">${tick.label}</text>`);
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${parts.join('')}</svg>`;
}
