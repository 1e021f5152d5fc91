/** The dashboard page: charts (lightweight-charts), tables, the decision inspector, and the live WebSocket. */
import { AreaSeries, CandlestickSeries, HistogramSeries, LineSeries, LineStyle, type Logical, MismatchDirection, createChart, createSeriesMarkers, type IPriceLine, type ISeriesApi, type SeriesMarker, type SeriesType, type Time, type UTCTimestamp } from 'lightweight-charts';
import { formatLag } from './format.ts';
import { carryForward } from './timeGrid.ts';

const $ = (id: string) => document.getElementById(id)!;
const sec = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;
const get = async <T>(path: string): Promise<T> => {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return (await r.json()) as T;
};

/** one colour per expert, in the order the router reports them (the user's own experts take the later ones) */
const COLORS = ['#1f5fbf', '#e07b00', '#2e9e5b', '#8a56c2', '#c23b3b', '#17a2b8', '#8c6d1f', '#d63384', '#5c6f3a', '#3d3d8f'];
/** regimes in muted tints, so that no regime reads as an expert's colour */
const REGIME_COLORS: Record<string, string> = { trend_up: '#a8dcb9', trend_down: '#efb1b1', range: '#cfd4dc', volatile: '#f1dc8a' };

interface Status { mode: string; backend: string; symbols: string[]; timeframe: string; run: number | null; steps: number; lastTs: string | null; equity: number | null; source: string | null; clock: 'replay' | 'wall'; lagMs: number | null }
interface Fill { id: number; ts: number; symbol: string; qty: number; price: number; reason?: string; decision: number | null }
interface Position { symbol: string; units: number; price: number | null; value: number | null; entryPrice: number | null; stop: number | null; target: number | null; trailing: number | null; liquidation: number | null; funding: number }
/** a fill's marker text: B/S for a signal's order, else what closed the position */
const REASON_TEXT: Record<string, string> = { stop: 'SL', target: 'TP', trailing: 'TS', time: 'T', kill: 'K', liquidation: 'LIQ' };
/** the open position's levels drawn on its candles */
const LEVELS = [
  ['entryPrice', 'entry', '#6b7280'],
  ['stop', 'stop', '#c23b3b'],
  ['target', 'target', '#2e9e5b'],
  ['trailing', 'trailing', '#e07b00'],
  ['liquidation', 'liquidation', '#7a3fb0'],
] as const;

let status: Status;
const noLabels = { lastValueVisible: false, priceLineVisible: false } as const;
let symbol = '';
let fills: Fill[] = [];
const candleChart = createChart($('candles'), { autoSize: true, timeScale: { timeVisible: true } });
const candles: ISeriesApi<'Candlestick'> = candleChart.addSeries(CandlestickSeries, {});
const markers = createSeriesMarkers(candles, []);
let levelLines: IPriceLine[] = [];
let positions: Position[] = [];
// a bar may be narrower than a pixel, so the whole run fits (thousands of points in a few hundred pixels)
const equityChart = createChart($('equity'), { autoSize: true, timeScale: { timeVisible: true, minBarSpacing: 0.01 } });
const equity = equityChart.addSeries(LineSeries, { color: '#1f5fbf', lineWidth: 2, title: 'equity' });
// drawdown in a pane of its own below the equity, in percent (it never shares the equity's price scale)
const drawdown = equityChart.addSeries(AreaSeries, { lineColor: '#c23b3b', topColor: 'rgba(194,59,59,0.05)', bottomColor: 'rgba(194,59,59,0.35)', invertFilledArea: true, priceFormat: { type: 'percent' }, title: 'drawdown' }, 1);
equityChart.panes()[1]?.setHeight(70);
// perpetuals: the margin used (initial margin / equity, %) in a third pane, added once a run shows any
let margin: ISeriesApi<'Area'> | undefined;
const weightsChart = createChart($('weights'), { autoSize: true, timeScale: { timeVisible: true, minBarSpacing: 0.01 } });
const unitRange = () => ({ priceRange: { minValue: 0, maxValue: 1 } });
/**
 * Stacked expert weights: expert k's band spans [weight of the experts before it, that plus its own]. An area is
 * filled down to the pane's bottom and later series are drawn over earlier ones, so the bands are added from the
 * top of the stack down (the last expert's cumulative first): every band stays visible.
 */
let weightBands: { expert: string; series: ISeriesApi<'Area'> }[] = [];
function stackFor(experts: readonly string[]): void {
  if (weightBands.length === experts.length && weightBands.every((b, i) => b.expert === experts[experts.length - 1 - i])) return;
  for (const b of weightBands) weightsChart.removeSeries(b.series);
  weightBands = [...experts].reverse().map((expert) => {
    const c = COLORS[experts.indexOf(expert) % COLORS.length]!;
    return { expert, series: weightsChart.addSeries(AreaSeries, { lineColor: c, topColor: c, bottomColor: c, lineWidth: 1, crosshairMarkerVisible: false, autoscaleInfoProvider: unitRange, ...noLabels }, 0) };
  });
}
/** the equity chart was fitted to the whole run once (later loads keep the user's zoom) */
let fitted = false;
/** the times of the equity chart's points (seconds), loaded and then streamed */
let equityTimes: number[] = [];
/**
 * The weights chart shows what the equity chart shows: its points are at the equity's times (loadWeights), so the
 * same logical range is the same span of time at the same spacing. Zooming or scrolling the equity chart moves both;
 * the weights chart takes no zoom of its own (range events arrive after a frame, so a two-way link would let a stale
 * range win).
 */
function followEquity(): void {
  const range = equityChart.timeScale().getVisibleLogicalRange();
  if (range === null || weightBands.length === 0) return;
  weightsChart.timeScale().setVisibleLogicalRange(range);
}
weightsChart.applyOptions({ handleScroll: false, handleScale: false });
equityChart.timeScale().subscribeVisibleLogicalRangeChange(followEquity);
// the router's most probable regime as a coloured band in a thin pane of its own under the weights
const regimeBand = weightsChart.addSeries(HistogramSeries, { base: 0, priceScaleId: 'regime', ...noLabels }, 1);
weightsChart.panes()[1]?.setHeight(18);

function showStatus(): void {
  const s = status;
  $('status').textContent = `Arena ${s.mode} · backend ${s.backend} · ${s.symbols.length} symbols ${s.timeframe ?? ''} · run ${s.run ?? '-'} · ${s.steps} bars · last ${s.lastTs ?? '-'} · equity ${s.equity === null ? '-' : s.equity.toFixed(2)} · lag ${s.clock === 'replay' ? 'replay' : s.lagMs === null ? '-' : formatLag(s.lagMs)}`;
}

function setMarkers(): void {
  const list: SeriesMarker<Time>[] = fills
    .filter((f) => f.symbol === symbol)
    .sort((a, b) => a.ts - b.ts)
    .map((f) => ({ time: sec(f.ts), position: f.qty > 0 ? 'belowBar' : 'aboveBar', color: f.qty > 0 ? '#2e9e5b' : '#c23b3b', shape: f.qty > 0 ? 'arrowUp' : 'arrowDown', text: REASON_TEXT[f.reason ?? ''] ?? (f.qty > 0 ? 'B' : 'S') }));
  markers.setMarkers(list);
}

/** The selected symbol's open position: its entry, stop, target, trailing stop and liquidation price as lines on the candles. */
function setLevels(): void {
  for (const l of levelLines) candles.removePriceLine(l);
  const p = positions.find((x) => x.symbol === symbol && x.units !== 0);
  levelLines = p === undefined ? [] : LEVELS.filter(([k]) => p[k] !== null).map(([k, title, color]) => candles.createPriceLine({ price: p[k]!, color, lineWidth: 1, lineStyle: k === 'entryPrice' ? LineStyle.Dotted : LineStyle.Dashed, axisLabelVisible: true, title }));
}

async function loadPositions(): Promise<void> {
  if (!(status as Status | undefined) || status.run === null) return;
  positions = await get<Position[]>('/api/positions');
  setLevels();
  const open = positions.filter((p) => p.units !== 0);
  const n = (v: number | null, d = 4) => (v === null ? '-' : v.toPrecision(d + 1));
  // only the levels some open position has (spot without exits has none), funding only where some was settled
  const levels = LEVELS.filter(([k]) => open.some((p) => p[k] !== null));
  const perp = positions.some((p) => p.funding !== 0);
  const funding = positions.reduce((s, p) => s + p.funding, 0);
  const head = ['Symbol', 'Units', ...levels.map(([, title]) => title[0]!.toUpperCase() + title.slice(1)), ...(perp ? ['Funding'] : [])];
  const row = (p: Position) => [p.symbol, n(p.units), ...levels.map(([k]) => n(p[k])), ...(perp ? [p.funding.toFixed(2)] : [])];
  $('positions').innerHTML =
    (open.length === 0 ? '<p>Flat.</p>' : `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${open.map((p) => `<tr>${row(p).map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table>`) +
    (perp ? `<p>funding settled over the run: ${funding.toFixed(2)} (negative: paid)</p>` : '');
}

/** Shows symbol s's candles and fills; the shown symbol (which the stream appends to) changes only once both loaded. */
async function loadSymbol(s: string): Promise<void> {
  // fills first: the bars fetched after them reach at least every fill's bar, so each marker has its candle
  const newFills = await get<Fill[]>(`/api/fills?limit=5000&symbol=${encodeURIComponent(s)}`);
  const bars = await get<{ ts: number; open: number; high: number; low: number; close: number }[]>(`/api/bars?symbol=${encodeURIComponent(s)}&limit=5000`);
  symbol = s;
  candles.setData(bars.map((b) => ({ time: sec(b.ts), open: b.open, high: b.high, low: b.low, close: b.close })));
  // decimals from the price level: ADA at 0.27 needs four, BTC at 90,000 none beyond the cents
  const level = bars.length > 0 ? Math.abs(bars[bars.length - 1]!.close) : 1;
  const precision = level >= 100 ? 2 : Math.min(8, Math.max(2, 3 - Math.floor(Math.log10(level || 1))));
  candles.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
  fills = newFills;
  setMarkers();
  setLevels();
}

async function loadAll(): Promise<void> {
  status = await get<Status>('/api/status');
  showStatus();
  // a ledger without a paper run (a backtest's, or a daemon's before its first bar) has nothing to chart: say so; the
  // timer below asks again, and the charts fill in once a run is there
  $('notice').hidden = status.run !== null;
  if (status.run === null) {
    $('notice').innerHTML =
      'This ledger holds no paper run yet: the charts fill in once <code>arena paper --db</code> writes to it. A backtest\'s ledger (<code>arena backtest --contest</code>) holds its contest: <code>arena contest report --db &lt;ledger&gt;</code> reads it.';
    for (const id of ['contest', 'features', 'positions']) $(id).textContent = 'No paper run in this ledger yet.';
    return;
  }
  const sel = $('symbol') as HTMLSelectElement;
  sel.innerHTML = status.symbols.map((s) => `<option>${s}</option>`).join('');
  // a request that fails (the daemon gone) shows as the stream's banner: no unhandled rejection, and the selector goes
  // back to the symbol whose candles are shown
  sel.onchange = () => void loadSymbol(sel.value).catch(() => (sel.value = symbol));
  if (status.symbols.length > 0) await loadSymbol(status.symbols[0]!);
  const eq = await get<{ ts: number; equity: number; drawdown: number; margin: number }[]>('/api/equity?maxPoints=5000');
  equityTimes = eq.map((p) => sec(p.ts));
  equity.setData(eq.map((p) => ({ time: sec(p.ts), value: p.equity })));
  drawdown.setData(eq.map((p) => ({ time: sec(p.ts), value: -p.drawdown * 100 })));
  // the whole run at first; after that the user's zoom stays (the weights chart follows the equity chart's span)
  if (!fitted && eq.length > 0) {
    fitted = true;
    equityChart.timeScale().fitContent();
  }
  if (eq.some((p) => p.margin > 0)) {
    $('equity-title').textContent = 'Equity, drawdown (%) below it, and the margin used (% of equity) below that';
    margin ??= equityChart.addSeries(AreaSeries, { lineColor: '#7a3fb0', topColor: 'rgba(122,63,176,0.35)', bottomColor: 'rgba(122,63,176,0.05)', priceFormat: { type: 'percent' }, title: 'margin' }, 2);
    // three panes: the chart grows so that each keeps room for its axis labels
    $('equity').classList.add('three');
    equityChart.panes()[1]?.setHeight(90);
    equityChart.panes()[2]?.setHeight(90);
    margin.setData(eq.map((p) => ({ time: sec(p.ts), value: p.margin * 100 })));
  }
  await loadWeights();
  await loadTables();
  await loadPositions();
}

/** The stacked weights, the regime band and the legend, from the router's recorded decisions. */
async function loadWeights(): Promise<void> {
  // before the first status (the timer can fire first) or while the ledger holds no run, there is nothing to draw
  if (!(status as Status | undefined) || status.run === null) return;
  // downsampled over the whole run, as the equity is, so that both charts can show the same span
  const w = await get<{ ts: number; weights: Record<string, number>; regime: Record<string, number> | null }[]>('/api/router?maxPoints=5000');
  const experts = Object.keys(w[w.length - 1]?.weights ?? {});
  stackFor(experts);
  // drawn at the equity chart's times, point for point (so the two charts index time alike): decisions are recorded
  // only at bars with an order, each holds until the next; before the first there is nothing (whitespace)
  const index = carryForward(
    w.map((p) => sec(p.ts)),
    equityTimes,
  );
  const at = (g: number) => equityTimes[g]! as UTCTimestamp;
  weightBands.forEach(({ expert, series }) => {
    const upTo = experts.indexOf(expert);
    const stacked = w.map((p) => experts.slice(0, upTo + 1).reduce((sum, e) => sum + (p.weights[e] ?? 0), 0));
    series.setData(Array.from(index, (i, g) => (i < 0 ? { time: at(g) } : { time: at(g), value: stacked[i]! })));
  });
  const regimeColor = w.map((p) => (p.regime === null ? null : (REGIME_COLORS[Object.entries(p.regime).sort((a, b) => b[1] - a[1])[0]![0]] ?? '#cfd4dc')));
  regimeBand.setData(Array.from(index, (i, g) => (i < 0 || regimeColor[i] === null ? { time: at(g) } : { time: at(g), value: 1, color: regimeColor[i]! })));
  followEquity();
  const last = w[w.length - 1];
  $('weights-legend').innerHTML = last
    ? experts.map((e, k) => `<span><i style="background:${COLORS[k % COLORS.length]}"></i>${e} ${((last.weights[e] ?? 0) * 100).toFixed(0)}%</span>`).join('') +
      (last.regime ? Object.keys(REGIME_COLORS).map((r) => `<span><i class="regime" style="background:${REGIME_COLORS[r]}"></i>${r.replace('_', ' ')}</span>`).join('') : '')
    : 'No decision yet.';
}

async function loadTables(): Promise<void> {
  const c = await get<{ enabled: boolean; frames: { ts: number; cash: boolean; withheld: boolean; recordT: number | null; leaders: { name: string; realized: number; predicted: number | null; adopted: boolean; weight: number }[] }[] }>('/api/contest?last=1');
  const f = c.frames[c.frames.length - 1];
  // what is held, in words: the adopted agents, the fallback when none is, and why
  const held = (fr: NonNullable<typeof f>) => {
    const adopted = fr.leaders.filter((l) => l.adopted);
    const names = adopted.map((l) => `${l.name} ${(l.weight * 100).toFixed(0)}%`).join(', ');
    if (fr.cash) return 'Holding cash: no agent was predicted to clear the hurdle.';
    if (fr.withheld) return `The score model's choice is withheld by its track record (t ${fr.recordT === null ? '-' : fr.recordT.toFixed(2)}): holding ${names || 'the fallback'}.`;
    return `Holding ${names || 'nothing'}.`;
  };
  $('contest').innerHTML = !c.enabled
    ? 'The contest is off (arena paper --contest).'
    : !f
      ? 'No window closed yet.'
      : `<p>${held(f)} Realised and predicted: the agent's annualised Sharpe over its window (predicted: the next one's).</p><table><tr><th>Agent</th><th>Realised</th><th>Predicted</th><th>Weight</th></tr>${f.leaders.map((l) => `<tr><td>${l.name}</td><td>${l.realized.toFixed(2)}</td><td>${l.predicted === null ? '-' : l.predicted.toFixed(2)}</td><td>${l.adopted ? `${(l.weight * 100).toFixed(0)}%` : ''}</td></tr>`).join('')}</table>`;
  const sel = await get<{ ts: number; reason: string; features: string[]; weights: number[] }[]>('/api/features?limit=1');
  $('features').innerHTML = sel.length === 0 ? 'No selection yet (the learned expert selects after its warm-up).' : `<p>${new Date(sel[0]!.ts).toISOString()} (${sel[0]!.reason})</p><table>${sel[0]!.features.map((n, i) => `<tr><td>${n}</td><td>${(sel[0]!.weights[i]! * 100).toFixed(1)}%</td></tr>`).join('')}</table>`;
}

interface Decision { id: number; ts: number; assets: { symbol: string; qty: number; combined: number; regime: Record<string, number> | null; exposures: Record<string, number>; weights: Record<string, number>; attribution: Record<string, number>; chart: string | null }[]; contest: { agent: string; weight: number }[] }

async function inspect(id: number): Promise<void> {
  const d = await get<Decision>(`/api/decisions/${id}`);
  const a = d.assets.find((x) => x.symbol === symbol) ?? d.assets[0]!;
  const fmt = (r: Record<string, number>, pct = true) => Object.entries(r).map(([k, v]) => `${k} ${pct ? `${(v * 100).toFixed(0)}%` : v.toFixed(2)}`).join(', ');
  $('inspector').innerHTML = `${a.chart ? `<img id="decision-chart" alt="the chart the router saw" src="data:image/png;base64,${a.chart}">` : ''}<p><b>${a.symbol}</b> at ${new Date(d.ts).toISOString()}: order ${a.qty.toPrecision(4)}, combined exposure ${a.combined.toFixed(3)}</p><p><b>regime</b> ${a.regime ? fmt(a.regime) : 'n/a (no model router: static or equal weights)'}</p><p id="decision-weights"><b>weights</b> ${fmt(a.weights)}</p><p><b>exposures</b> ${fmt(a.exposures, false)}</p><p><b>attribution</b> ${fmt(a.attribution)}</p><p><b>contest</b> ${d.contest.length ? d.contest.map((c) => `${c.agent} ${(c.weight * 100).toFixed(0)}%`).join(', ') : 'not adopted / off'}</p>`;
}

candleChart.subscribeClick((p) => {
  if (p.time === undefined) return;
  const t = Number(p.time) * 1000;
  const near = fills.filter((f) => f.symbol === symbol && f.decision !== null).sort((a, b) => Math.abs(a.ts - t) - Math.abs(b.ts - t))[0];
  if (near) void inspect(near.decision!).catch((e: Error) => ($('inspector').textContent = `could not load decision ${near.decision}: ${e.message}`));
});

/**
 * Adds a live point unless the series already reaches past it (the chart refuses points older than its last). The
 * last point is found by a binary search (`data()` would copy every point, on every step).
 */
function onTop<S extends ISeriesApi<SeriesType>>(series: S, p: Parameters<S['update']>[0]): void {
  const last = series.dataByIndex(Number.MAX_SAFE_INTEGER, MismatchDirection.NearestLeft);
  if (last === null || (p.time as number) >= (last.time as number)) series.update(p as never);
}

function connect(delay = 500): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    $('banner').hidden = true;
    delay = 500;
  };
  ws.onmessage = (ev) => {
    const m = JSON.parse(String(ev.data)) as { type: string; t: number; ts: number; equity: number; drawdown: number; margin?: number; bars: Record<string, [number, number, number, number]>; fills: { symbol: string; qty: number; price: number; reason?: string }[]; decision: number | null };
    if (m.type !== 'step') return;
    const b = m.bars[symbol];
    // a step the page already fetched over HTTP (it loaded after the step was sent) is there: only later ones go on
    const time = sec(m.ts);
    if (b) onTop(candles, { time, open: b[0], high: b[1], low: b[2], close: b[3] });
    onTop(equity, { time, value: m.equity });
    if (equityTimes.length === 0 || time > equityTimes[equityTimes.length - 1]!) equityTimes.push(time);
    onTop(drawdown, { time, value: -m.drawdown * 100 });
    if (margin !== undefined && m.margin !== undefined) onTop(margin, { time, value: m.margin * 100 });
    // a signal's fill at bar t carries out the order decided at t - 1 (its decision), as the API's fills say
    for (const f of m.fills) fills.push({ id: -1, ts: m.ts, symbol: f.symbol, qty: f.qty, price: f.price, ...(f.reason ? { reason: f.reason } : {}), decision: (f.reason ?? 'signal') !== 'signal' ? null : m.t - 1 });
    if (m.fills.some((f) => f.symbol === symbol)) {
      setMarkers();
      // sent just before the daemon stopped, this request can fail: the banner says so, the refresh tries again
      void loadPositions().catch(() => undefined);
    }
    status.steps = m.t + 1;
    status.lastTs = new Date(m.ts).toISOString();
    status.equity = m.equity;
    showStatus();
  };
  ws.onclose = () => {
    $('banner').hidden = false;
    setTimeout(() => connect(Math.min(10_000, delay * 2)), delay);
  };
}

// a handle for the browser console (and the end-to-end test): where a fill's marker is on the candle chart
(window as unknown as { arena: unknown }).arena = {
  markerX: (ts: number) => candleChart.timeScale().timeToCoordinate(sec(ts)),
  fills: () => fills.filter((f) => f.symbol === symbol && f.decision !== null),
  levels: () => levelLines.map((l) => l.options().title),
  /** the span of time (seconds) the equity chart shows, the logical ranges (point indices) of both charts, and the time of point k in each */
  spans: (k: number) => ({
    equity: equityChart.timeScale().getVisibleRange(),
    logical: [equityChart, weightsChart].map((c) => c.timeScale().getVisibleLogicalRange()),
    timeAt: [equityChart, weightsChart].map((c) => c.timeScale().coordinateToTime(c.timeScale().logicalToCoordinate(k as Logical)!)),
  }),
  equityTitle: () => $('equity-title').textContent,
};

void loadAll()
  .catch(() => undefined)
  .then(() => connect());
// no status yet (the first request failed) or no run yet: load everything again; else refresh the panels
// (a failed refresh, the daemon gone, shows as the stream's banner; the next tick tries again)
setInterval(() => void ((status as Status | undefined) === undefined || status.run === null ? loadAll() : loadTables().then(loadWeights).then(loadPositions)).catch(() => undefined), 5000);
