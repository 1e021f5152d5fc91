/** The charts the router sees: the RasterizeCharts kernel over the panel's OHLCV, for a set of decision bars. */
import type { BarPanel } from '@arena/core';
import { type ChartParams, RasterizeChartsKernel } from '@arena/kernels';
import type { ChartSpec } from './spec.ts';

export function chartParams(chart: ChartSpec): ChartParams {
  return { window: chart.window, width: chart.size, height: chart.size, maWindow: chart.maWindow, volumeFraction: chart.volumeFraction };
}

/** Images [ends.length x assets.length x size x size x 3] in [0, 1], for each end bar, for each asset. */
export function renderCharts(panel: BarPanel, ends: Int32Array | readonly number[], chart: ChartSpec, assets?: readonly number[]): Float32Array {
  const m = (data: Float64Array) => ({ rows: panel.nTimes, cols: panel.nAssets, data });
  return RasterizeChartsKernel.cpu(
    { open: m(panel.open), high: m(panel.high), low: m(panel.low), close: m(panel.close), volume: m(panel.volume), ends, ...(assets ? { assets } : {}) },
    chartParams(chart),
  ).images;
}

/** The OHLCV rows a chart is drawn from (enough to re-render it exactly): bars end - window + 1 .. end of asset a. */
export function chartInputs(panel: BarPanel, end: number, a: number, chart: ChartSpec): { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] } {
  const A = panel.nAssets;
  const out = { ts: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[], volume: [] as number[] };
  for (let t = Math.max(0, end - chart.window + 1); t <= end; t++) {
    out.ts.push(panel.ts[t]!);
    out.open.push(panel.open[t * A + a]!);
    out.high.push(panel.high[t * A + a]!);
    out.low.push(panel.low[t * A + a]!);
    out.close.push(panel.close[t * A + a]!);
    out.volume.push(panel.volume[t * A + a]!);
  }
  return out;
}
