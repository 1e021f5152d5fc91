/** Small SVG chart helpers (line/area over time, horizontal bars) and min/max-preserving downsampling, producing self-contained SVG strings. */

/** Default cap on points per plotted series: keeps a 120k-bar run's report small while every spike stays visible. */
export const MAX_PLOT_POINTS = 1500;

export const PALETTE = ['#1f5fbf', '#e07b00', '#2a9d45', '#c23b3b', '#7b4fbf', '#8c6d46', '#d45fa8', '#6b6b6b', '#b5a300', '#1fa3b5'];

export interface XY {
  readonly x: number[];
  readonly y: number[];
}

/**
 * Keeps at most maxPoints points of (x, y): the first and last point, and in each of floor((maxPoints - 2) / 2)
 * equal index buckets the points holding the bucket's min and max y, in index order. So the global min and max
 * of y always survive. NaN y values are never chosen as extremes. A series that already fits is copied as is.
 */
export function downsampleMinMax(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number = MAX_PLOT_POINTS): XY {
  const n = Math.min(x.length, y.length);
  const outX: number[] = [];
  const outY: number[] = [];
  if (n <= Math.max(maxPoints, 2)) {
    for (let i = 0; i < n; i++) {
      outX.push(x[i]!);
      outY.push(y[i]!);
    }
    return { x: outX, y: outY };
  }
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const inner = n - 2;
  const push = (i: number): void => {
    outX.push(x[i]!);
    outY.push(y[i]!);
  };
  push(0);
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    let iMin = -1;
    let iMax = -1;
    for (let i = lo; i < hi; i++) {
      const v = y[i]!;
      if (Number.isNaN(v)) continue;
      if (iMin < 0 || v < y[iMin]!) iMin = i;
      if (iMax < 0 || v > y[iMax]!) iMax = i;
    }
    if (iMin < 0) continue;
    if (iMin === iMax) push(iMin);
    else if (iMin < iMax) {
      push(iMin);
      push(iMax);
    } else {
      push(iMax);
      push(iMin);
    }
  }
  push(n - 1);
  return { x: outX, y: outY };
}

/** Escapes text for HTML/SVG element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Coordinates with one decimal: enough for screen pixels, and short. */
function c(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** About `count` round tick values (1, 2, 5 x 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const unit = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / unit) * unit; v <= max + unit * 1e-9; v += unit) ticks.push(Math.abs(v) < unit * 1e-9 ? 0 : v);
  return ticks;
}

/** Ticks for a log axis: 1-2-5 x 10^k inside [min, max] (min > 0), thinned to about 8; linear ticks when the span is under a decade. */
function logTicks(min: number, max: number): number[] {
  if (max / min < 10) return niceTicks(min, max, 5).filter((v) => v > 0);
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
    for (const m of [1, 2, 5]) {
      const v = m * Math.pow(10, k);
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  if (ticks.length <= 8) return ticks;
  return ticks.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const pad2 = (v: number): string => (v < 10 ? `0${v}` : `${v}`);

/** Date-aligned ticks over [t0, t1] (ms UTC): the smallest step among minutes..years that gives at most ~7 ticks. */
export function timeTicks(t0: number, t1: number, maxTicks = 7): { value: number; label: string }[] {
  const span = t1 - t0;
  if (!(span > 0)) return [{ value: t0, label: isoDate(t0) }];
  const fixed = [5 * 60_000, 15 * 60_000, 30 * 60_000, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];
  const step = fixed.find((s) => span / s <= maxTicks);
  if (step !== undefined) {
    const ticks: { value: number; label: string }[] = [];
    for (let v = Math.ceil(t0 / step) * step; v <= t1; v += step) {
      const d = new Date(v);
      const label =
        step >= DAY
          ? isoDate(v)
          : `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
      ticks.push({ value: v, label });
    }
    return ticks;
  }
  // Calendar steps: months, then years.
  const months = [1, 2, 3, 6, 12, 24, 60, 120, 600].find((m) => span / (m * 30.44 * DAY) <= maxTicks) ?? 1200;
  const start = new Date(t0);
  let y = start.getUTCFullYear();
  let m = start.getUTCMonth();
  m = Math.ceil((y * 12 + m + (start.getTime() > Date.UTC(y, m, 1) ? 1 : 0)) / months) * months;
  const ticks: { value: number; label: string }[] = [];
  for (;; m += months) {
    y = Math.floor(m / 12);
    const v = Date.UTC(y, m % 12, 1);
    if (v > t1) break;
    ticks.push({ value: v, label: months >= 12 ? `${y}` : `${y}-${pad2((m % 12) + 1)}` });
  }
  return ticks;
}

/** 'YYYY-MM-DD' of a ms UTC time. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export interface LineSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color?: string;
  /** fill between the line and y = 0 */
  readonly area?: boolean;
}

export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly LineSeries[];
  readonly width?: number;
  readonly height?: number;
  /** logarithmic y axis; ignored when any value is <= 0 */
  readonly logY?: boolean;
  readonly yFormat?: (v: number) => string;
}

const MARGIN = { left: 72, right: 16, top: 34, bottom: 36 };

/** A time-series line (or area) chart with date-labelled x ticks, y ticks, grid and a legend. */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 960;
  const height = opts.height ?? 300;
  const yFormat = opts.yFormat ?? ((v: number) => String(Number(v.toPrecision(4))));
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of opts.series) {
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i]!;
      const t = s.x[i]!;
      if (!Number.isFinite(v) || !Number.isFinite(t)) continue;
      if (t < xMin) xMin = t;
      if (t > xMax) xMax = t;
      if (v < yMin) yMin = v;
      if (v > yMax) yMax = v;
    }
    if (s.area) {
      yMin = Math.min(yMin, 0);
      yMax = Math.max(yMax, 0);
    }
  }
  const header = `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(opts.title)}">`;
  const title = `<text class="title" x="${MARGIN.left}" y="18">${escapeXml(opts.title)}</text>`;
  if (!(xMax >= xMin) || !(yMax >= yMin)) {
    return `${header}${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>`;
  }
  if (yMax === yMin) {
    const pad = Math.abs(yMax) * 0.01 || 1;
    yMin -= pad;
    yMax += pad;
  }
  if (xMax === xMin) xMax = xMin + 1;
  const log = opts.logY === true && yMin > 0;
  const fy = log ? Math.log10 : (v: number) => v;
  const y0 = fy(yMin);
  const y1 = fy(yMax);
  // Legend: left-aligned rows under the title, wrapped at the plot width; the plot starts below them.
  const legend: string[] = [];
  let lx = MARGIN.left;
  let ly = 32;
  opts.series.forEach((s, k) => {
    const w = 7 * s.name.length + 30;
    if (lx > MARGIN.left && lx + w > width - MARGIN.right) {
      lx = MARGIN.left;
      ly += 16;
    }
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    legend.push(`<rect x="${lx}" y="${ly - 5}" width="12" height="3" fill="${color}"/>`);
    legend.push(`<text class="legend" x="${lx + 16}" y="${ly}">${escapeXml(s.name)}</text>`);
    lx += w;
  });
  const top = ly + 12;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = Math.max(40, height - top - MARGIN.bottom);
  const px = (t: number): number => MARGIN.left + ((t - xMin) / (xMax - xMin)) * plotW;
  const py = (v: number): number => top + (1 - (fy(v) - y0) / (y1 - y0)) * plotH;

  const parts: string[] = [header, title, ...legend];
  // Grid and y ticks.
  for (const v of log ? logTicks(yMin, yMax) : niceTicks(yMin, yMax, 5)) {
    const y = c(py(v));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(yFormat(v))}</text>`);
  }
  // x ticks with date labels.
  const bottom = top + plotH;
  for (const tick of timeTicks(xMin, xMax)) {
    const x = c(px(tick.value));
    parts.push(`<line class="axis" x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${bottom + 18}" text-anchor="middle">${escapeXml(tick.label)}</text>`);
  }
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${top}" y2="${bottom}"/>`);
  if (!log && yMin < 0 && yMax > 0) {
    const z = c(py(0));
    parts.push(`<line class="zero" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${z}" y2="${z}"/>`);
  }
  // Series, drawn in reverse so the first (main) series lies on top.
  for (let k = opts.series.length - 1; k >= 0; k--) {
    const s = opts.series[k]!;
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    let d = '';
    let pen = false;
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i]!;
      if (!Number.isFinite(v) || (log && v <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${c(px(s.x[i]!))} ${c(py(v))}`;
      pen = true;
    }
    if (s.area && s.x.length > 0 && !log) {
      const base = c(py(Math.min(Math.max(0, yMin), yMax)));
      const area = `M${c(px(s.x[0]!))} ${base}${d.replace(/M/g, 'L')}L${c(px(s.x[s.x.length - 1]!))} ${base}Z`;
      parts.push(`<path d="${area}" fill="${color}" fill-opacity="0.25" stroke="none"/>`);
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${k === 0 ? 1.6 : 1.1}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface BarChartOptions {
  readonly title: string;
  readonly labels: readonly string[];
  readonly values: readonly number[];
  readonly width?: number;
  readonly valueFormat?: (v: number) => string;
}

/** Horizontal bars around a zero line: positive values green to the right, negative red to the left, value labels beside. */
export function barChart(opts: BarChartOptions): string {
  const width = opts.width ?? 960;
  const rowH = 22;
  const n = opts.labels.length;
  const height = MARGIN.top + Math.max(1, n) * rowH + 24;
  const fmt = opts.valueFormat ?? ((v: number) => String(Number(v.toPrecision(4))));
  const labelW = Math.min(220, 12 + 7 * Math.max(4, ...opts.labels.map((l) => l.length)));
  const valueW = 90;
  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(opts.title)}">`,
    `<text class="title" x="${MARGIN.left}" y="18">${escapeXml(opts.title)}</text>`,
  ];
  let lo = 0;
  let hi = 0;
  for (const v of opts.values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi === lo) hi = lo + 1;
  const x0 = labelW + valueW;
  const plotW = width - x0 - valueW - MARGIN.right;
  const px = (v: number): number => x0 + ((v - lo) / (hi - lo)) * plotW;
  const zero = px(0);
  for (let i = 0; i < n; i++) {
    const v = opts.values[i] ?? 0;
    const safe = Number.isFinite(v) ? v : 0;
    const y = MARGIN.top + i * rowH;
    const a = Math.min(px(safe), zero);
    const w = Math.abs(px(safe) - zero);
    parts.push(`<text class="tick" x="${labelW}" y="${c(y + rowH / 2)}" text-anchor="end" dominant-baseline="middle">${escapeXml(opts.labels[i] ?? '')}</text>`);
    parts.push(`<rect x="${c(a)}" y="${c(y + 3)}" width="${c(Math.max(w, 0.5))}" height="${rowH - 6}" fill="${safe < 0 ? '#c23b3b' : '#2a9d45'}"/>`);
    const tx = safe < 0 ? a - 4 : a + w + 4;
    parts.push(`<text class="tick" x="${c(tx)}" y="${c(y + rowH / 2)}" text-anchor="${safe < 0 ? 'end' : 'start'}" dominant-baseline="middle">${escapeXml(fmt(v))}</text>`);
  }
  const bottom = MARGIN.top + Math.max(1, n) * rowH;
  parts.push(`<line class="zero" x1="${c(zero)}" x2="${c(zero)}" y1="${MARGIN.top - 2}" y2="${bottom + 2}"/>`);
  parts.push('</svg>');
  return parts.join('');
}
