/** The charts the router sees: the RasterizeCharts kernel over the panel's OHLCV, for a set of decision bars. */
import type { BarPanel } from '@arena/core';
import { type ChartParams, RasterizeChartsKernel, imageToPng } from '@arena/kernels';
import { type ChartSpec, PATCHES } from './spec.ts';

export function chartParams(chart: ChartSpec): ChartParams {
  return { window: chart.window, width: chart.size, height: chart.size, maWindow: chart.maWindow, volumeFraction: chart.volumeFraction };
}

/**
 * Images [ends.length x assets.length x size x size x 3] in [0, 1], for each end bar, for each asset; drawn into
 * `into` (its first values; the rest untouched) when given.
 */
export function renderCharts(panel: BarPanel, ends: Int32Array | readonly number[], chart: ChartSpec, assets?: readonly number[], into?: Float32Array): Float32Array {
  return render(panel, ends, chartParams(chart), assets, into);
}

/**
 * The same charts with their pixels in the order the router net's inference reads them (tiled by its patch sizes,
 * PATCHES; routerInference): the same values, placed so that its patchify stages need no transposes.
 */
export function renderNetCharts(panel: BarPanel, ends: Int32Array | readonly number[], chart: ChartSpec, assets?: readonly number[], into?: Float32Array): Float32Array {
  return render(panel, ends, { ...chartParams(chart), tiles: PATCHES }, assets, into);
}

function render(panel: BarPanel, ends: Int32Array | readonly number[], params: ChartParams, assets?: readonly number[], into?: Float32Array): Float32Array {
  const m = (data: Float64Array) => ({ rows: panel.nTimes, cols: panel.nAssets, data });
  return RasterizeChartsKernel.cpu(
    { open: m(panel.open), high: m(panel.high), low: m(panel.low), close: m(panel.close), volume: m(panel.volume), ends, ...(assets ? { assets } : {}), ...(into ? { into } : {}) },
    params,
  ).images;
}

/** The chart of asset a ending at bar t as an RGB PNG, enlarged `scale` times (what a report, the dashboard and a VLM are shown). */
export function chartPng(panel: BarPanel, t: number, a: number, chart: ChartSpec, scale: number): Buffer {
  return imageToPng(renderCharts(panel, [t], chart, [a]), 0, chart.size, chart.size, scale);
}
