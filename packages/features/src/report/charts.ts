/** The feature report's three plots as self-contained SVG strings: selections over time, rank IC per feature, cluster map. */
import type { ClusterMap, FeatureReportModel, IcRow } from './model.ts';
import { BLUES, HEAT, c, escapeXml, fixed, gradientLegend, groupColor, GROUP_COLORS, percent, ramp, timeTicks } from './svg.ts';

const REASON_COLORS = { initial: '#1d2330', scheduled: '#9aa3b2', drift: '#c23b3b' } as const;

function svgOpen(width: number, height: number, label: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${c(width)} ${c(height)}" width="${c(width)}" height="${c(height)}" role="img" aria-label="${escapeXml(label)}">`;
}

const labelWidth = (labels: readonly string[], min = 60, max = 190): number =>
  Math.min(max, Math.max(min, 12 + 6.6 * Math.max(0, ...labels.map((l) => l.length))));

function message(width: number, title: string, text: string): string {
  return `${svgOpen(width, 70, title)}<text class="title" x="8" y="18">${escapeXml(title)}</text><text class="tick" x="8" y="46">${escapeXml(text)}</text></svg>`;
}

/**
 * (a) Selected features over time: one column per selection spanning the bars it was in effect, one row per feature
 * ever selected (most often kept first); colour = the feature's weight, blank when not kept. Markers above the plot
 * give each selection's reason; drift re-selections also get a dashed red line through the plot.
 */
export function selectionHeatmap(model: FeatureReportModel, width = 960): string {
  const title = 'Selected features over time (colour = weight; blank = not selected)';
  const sels = model.selections;
  if (sels.length === 0) return message(width, title, 'no selection: the range is shorter than the selector window plus horizon');
  const share = new Map(model.icTable.map((r) => [r.feature, r.selectedShare]));
  const order = new Map(model.catalogue.map((f, i) => [f.name, i]));
  const rows = [...new Set(sels.flatMap((s) => s.features))].sort(
    (a, b) => (share.get(b) ?? 0) - (share.get(a) ?? 0) || (order.get(a) ?? 0) - (order.get(b) ?? 0),
  );
  if (rows.length === 0) return message(width, title, 'no feature was significant at any selection');
  const rowH = 14;
  const left = labelWidth(rows);
  const right = 16;
  const top = 62;
  const plotH = rows.length * rowH;
  const height = top + plotH + 34;
  const plotW = width - left - right;
  const t0 = Date.parse(model.from);
  const t1 = Date.parse(model.to);
  const span = Math.max(1, t1 - t0);
  const px = (ms: number): number => left + ((ms - t0) / span) * plotW;
  let maxW = 0;
  for (const s of sels) for (const w of s.weights) if (w > maxW) maxW = w;
  if (!(maxW > 0)) maxW = 1;
  const rowOf = new Map(rows.map((r, i) => [r, i]));
  const parts: string[] = [svgOpen(width, height, title), `<text class="title" x="8" y="16">${escapeXml(title)}</text>`];
  // legend: reasons and the weight scale
  let lx = left;
  for (const reason of ['initial', 'scheduled', 'drift'] as const) {
    parts.push(`<path d="M${c(lx)} 28 l5 8 l-10 0 z" fill="${REASON_COLORS[reason]}"/>`);
    parts.push(`<text class="legend" x="${c(lx + 9)}" y="34">${reason}</text>`);
    lx += 24 + 7 * reason.length;
  }
  parts.push(`<rect x="${c(lx - 5)}" y="27" width="10" height="10" fill="#e1e4ea"/><text class="legend" x="${c(lx + 9)}" y="34">no feature kept</text>`);
  parts.push(gradientLegend('selw', BLUES, width - right - 190, 26, 150, '0', fixed(maxW, 2), 'weight'));
  // row stripes and labels
  rows.forEach((name, i) => {
    const y = top + i * rowH;
    if (i % 2 === 1) parts.push(`<rect x="${c(left)}" y="${c(y)}" width="${c(plotW)}" height="${rowH}" fill="#f6f7f9"/>`);
    parts.push(`<text class="tick" x="${c(left - 6)}" y="${c(y + rowH / 2)}" text-anchor="end" dominant-baseline="middle">${escapeXml(name)}</text>`);
  });
  // cells
  sels.forEach((s, k) => {
    const from = Date.parse(s.ts);
    const to = k + 1 < sels.length ? Date.parse(sels[k + 1]!.ts) : t1;
    const x = px(from);
    const w = Math.max(1, px(to) - x);
    if (s.features.length === 0) {
      // a selection that kept nothing (no feature significant): a grey band over the whole column
      const tip = `${s.ts.slice(0, 16).replace('T', ' ')} (${s.reason}): no feature kept`;
      parts.push(`<rect x="${c(x)}" y="${top}" width="${c(w)}" height="${plotH}" fill="#e1e4ea" fill-opacity="0.6"><title>${escapeXml(tip)}</title></rect>`);
    }
    s.features.forEach((name, j) => {
      const i = rowOf.get(name)!;
      const weight = s.weights[j] ?? 0;
      if (!(weight > 0)) return;
      const tip = `${name} from ${s.ts.slice(0, 16).replace('T', ' ')} (${s.reason}): weight ${fixed(weight, 3)}`;
      parts.push(`<rect x="${c(x)}" y="${c(top + i * rowH + 1)}" width="${c(w)}" height="${rowH - 2}" fill="${ramp(BLUES, weight / maxW)}"><title>${escapeXml(tip)}</title></rect>`);
    });
  });
  // reason markers, drift lines
  for (const s of sels) {
    const x = px(Date.parse(s.ts));
    if (s.reason === 'drift') parts.push(`<line x1="${c(x)}" x2="${c(x)}" y1="${top - 6}" y2="${c(top + plotH)}" stroke="#c23b3b" stroke-width="1" stroke-dasharray="3 2"/>`);
    const tip = `${s.ts.slice(0, 16).replace('T', ' ')} ${s.reason}: ${s.detail}; ${s.features.length} features, ${s.clusters} clusters`;
    parts.push(`<path d="M${c(x)} ${top - 2} l4 -8 l-8 0 z" fill="${REASON_COLORS[s.reason]}"><title>${escapeXml(tip)}</title></path>`);
  }
  // axes and date ticks
  const bottom = top + plotH;
  parts.push(`<line class="axis" x1="${c(left)}" x2="${c(left + plotW)}" y1="${bottom}" y2="${bottom}"/>`);
  parts.push(`<line class="axis" x1="${c(left)}" x2="${c(left)}" y1="${top}" y2="${bottom}"/>`);
  for (const tick of timeTicks(t0, t1)) {
    const x = px(tick.value);
    parts.push(`<line class="axis" x1="${c(x)}" x2="${c(x)}" y1="${bottom}" y2="${bottom + 5}"/>`);
    parts.push(`<text class="tick" x="${c(x)}" y="${bottom + 18}" text-anchor="middle">${escapeXml(tick.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** (b) Rank IC of each feature (whole range, pooled over assets) as horizontal bars around zero, coloured by group. */
export function icBarChart(rows: readonly IcRow[], width = 960): string {
  const title = 'Rank IC against the forward return, per feature (colour = group)';
  const shown = rows.filter((r) => Number.isFinite(r.rankIC)).sort((a, b) => b.rankIC - a.rankIC || (a.feature < b.feature ? -1 : 1));
  if (shown.length === 0) return message(width, title, 'no feature has data');
  const rowH = 16;
  const groups = [...new Set(shown.map((r) => r.group))].sort((a, b) => Object.keys(GROUP_COLORS).indexOf(a) - Object.keys(GROUP_COLORS).indexOf(b));
  // legend rows, wrapped at the plot width
  const legend: string[] = [];
  let lx = 8;
  let ly = 36;
  for (const g of groups) {
    const w = 24 + 7 * g.length;
    if (lx + w > width - 8) {
      lx = 8;
      ly += 16;
    }
    legend.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${groupColor(g)}"/>`);
    legend.push(`<text class="legend" x="${lx + 14}" y="${ly}">${escapeXml(g)}</text>`);
    lx += w;
  }
  const top = ly + 14;
  const left = labelWidth(shown.map((r) => r.feature));
  const valueW = 60;
  const plotW = width - left - 2 * valueW - 16;
  let lo = 0;
  let hi = 0;
  for (const r of shown) {
    lo = Math.min(lo, r.rankIC);
    hi = Math.max(hi, r.rankIC);
  }
  if (hi === lo) hi = lo + 1;
  const x0 = left + valueW;
  const px = (v: number): number => x0 + ((v - lo) / (hi - lo)) * plotW;
  const zero = px(0);
  const height = top + shown.length * rowH + 12;
  const parts: string[] = [svgOpen(width, height, title), `<text class="title" x="8" y="16">${escapeXml(title)}</text>`, ...legend];
  shown.forEach((r, i) => {
    const y = top + i * rowH;
    const x = px(r.rankIC);
    const a = Math.min(x, zero);
    const w = Math.max(0.5, Math.abs(x - zero));
    const tip = `${r.feature} (${r.group}): rank IC ${fixed(r.rankIC, 4)}, t ${fixed(r.icT, 1)}, hit rate ${percent(r.hitRate)}, selected ${percent(r.selectedShare)}`;
    parts.push(`<text class="tick" x="${c(left)}" y="${c(y + rowH / 2)}" text-anchor="end" dominant-baseline="middle">${escapeXml(r.feature)}</text>`);
    parts.push(`<rect x="${c(a)}" y="${c(y + 2)}" width="${c(w)}" height="${rowH - 4}" fill="${groupColor(r.group)}"><title>${escapeXml(tip)}</title></rect>`);
    const tx = r.rankIC < 0 ? a - 4 : a + w + 4;
    parts.push(`<text class="tick" x="${c(tx)}" y="${c(y + rowH / 2)}" text-anchor="${r.rankIC < 0 ? 'end' : 'start'}" dominant-baseline="middle">${fixed(r.rankIC, 4)}</text>`);
  });
  parts.push(`<line class="zero" x1="${c(zero)}" x2="${c(zero)}" y1="${top - 2}" y2="${c(top + shown.length * rowH + 2)}"/>`);
  parts.push('</svg>');
  return parts.join('');
}

/**
 * (c) The last selection's |correlation| matrix with the features ordered by cluster: boxes mark the clusters on
 * the diagonal, the selected features' labels are bold red with a dot on their diagonal cell.
 */
export function clusterHeatmap(map: ClusterMap | null, width = 960): string {
  const title = map === null ? 'Cluster map' : `Cluster map at the last selection (${map.ts.slice(0, 16).replace('T', ' ')}): |correlation|, features ordered by cluster`;
  if (map === null) return message(width, title, 'no selection: the range is shorter than the selector window plus horizon');
  const n = map.features.length;
  if (n === 0) return message(width, title, 'no feature could be scored at the last selection');
  const left = labelWidth(map.features);
  const top = 44 + left; // room for the rotated column labels
  const cell = Math.max(5, Math.min(16, Math.floor((width - left - 60) / n)));
  const side = cell * n;
  const height = top + side + 16;
  const selected = new Set(map.selected);
  const parts: string[] = [svgOpen(width, height, title), `<text class="title" x="8" y="16">${escapeXml(title)}</text>`];
  parts.push(gradientLegend('corr', HEAT, width - 190, 26, 150, '0', '1', '|r|'));
  const font = Math.min(11, cell - 1);
  map.features.forEach((name, i) => {
    const sel = selected.has(name);
    // inline style: the page's CSS would override presentation attributes
    const style = ` style="font-size:${font}px${sel ? ';font-weight:700;fill:#c23b3b' : ''}"`;
    const y = top + i * cell + cell / 2;
    parts.push(`<text x="${c(left - 6)}" y="${c(y)}" text-anchor="end" dominant-baseline="middle"${style}>${escapeXml(name)}</text>`);
    const x = left + i * cell + cell / 2;
    parts.push(`<text x="${c(x)}" y="${c(top - 6)}" transform="rotate(-90 ${c(x)} ${c(top - 6)})" dominant-baseline="middle"${style}>${escapeXml(name)}</text>`);
  });
  for (let i = 0; i < n; i++) {
    const row = map.correlation[i]!;
    for (let j = 0; j < n; j++) {
      const v = row[j]!;
      const fill = Number.isFinite(v) ? ramp(HEAT, v) : '#e1e4ea';
      const tip = `${map.features[i]} × ${map.features[j]}: |r| ${fixed(v, 3)}`;
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}"><title>${escapeXml(tip)}</title></rect>`);
    }
  }
  // cluster blocks on the diagonal, numbered at their right
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && map.cluster[i] === map.cluster[start]) continue;
    const x = left + start * cell;
    const w = (i - start) * cell;
    parts.push(`<rect x="${x}" y="${top + start * cell}" width="${w}" height="${w}" fill="none" stroke="#1d2330" stroke-width="1.5"/>`);
    parts.push(`<text class="tick" x="${left + side + 6}" y="${c(top + start * cell + w / 2)}" dominant-baseline="middle">c${map.cluster[start]}</text>`);
    start = i;
  }
  // the selected features: a dot on their diagonal cell
  map.features.forEach((name, i) => {
    if (!selected.has(name)) return;
    const x = left + i * cell + cell / 2;
    const y = top + i * cell + cell / 2;
    parts.push(`<circle cx="${c(x)}" cy="${c(y)}" r="${c(Math.max(1.5, cell / 4))}" fill="#1f5fbf" stroke="#fff" stroke-width="1"/>`);
  });
  parts.push(`<rect x="${left}" y="${top}" width="${side}" height="${side}" fill="none" stroke="#9aa3b2" stroke-width="0.5"/>`);
  parts.push('</svg>');
  return parts.join('');
}
