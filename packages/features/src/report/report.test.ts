import { describe, expect, it } from 'vitest';
import { generateSyntheticMarket } from '@arena/streams';
import { computeFeatures } from '../catalogue.ts';
import { withColumns } from '../featureSet.ts';
import { runSelector } from '../selector.ts';
import { featureReportJson, jsonNumber } from './json.ts';
import { renderFeatureReportHtml } from './html.ts';
import { buildFeatureReport, forwardLogReturns, topByAbsIc } from './model.ts';

const { panel } = generateSyntheticMarket({ seed: 5, assets: 3, bars: 1200, timeframe: '1h' });
const H = 4;
const fwd = forwardLogReturns(panel, H);
// a planted feature: the forward return itself (IC 1), and a constant one (no rank order: IC undefined)
const base = computeFeatures({ panel });
const set = withColumns(base, [
  { info: { name: 'oracle', group: 'returns', window: 1, description: 'the <future> & "more"' }, column: fwd },
  { info: { name: 'flat', group: 'shape', window: 1, description: 'constant' }, column: new Float64Array(fwd.length).fill(2) },
]);
const run = runSelector(set, panel, { window: 300, horizon: H, reselectEvery: 200 });
const model = buildFeatureReport({ set, panel, run, source: '<img src=x onerror=alert(1)>' });

describe('feature report model', () => {
  it('scores the planted oracle at IC 1 with the t-stat |IC| sqrt(n / horizon), and leaves a constant feature undefined', () => {
    const oracle = model.icTable.find((r) => r.feature === 'oracle')!;
    expect(oracle.rankIC).toBeCloseTo(1, 10);
    expect(oracle.icT).toBeCloseTo(Math.sqrt(oracle.samples / H), 8);
    expect(oracle.hitRate).toBeGreaterThan(0.9);
    expect(oracle.samples).toBe((panel.nTimes - H) * panel.nAssets);
    expect(oracle.selectedShare).toBe(1);
    expect(topByAbsIc(model, 1)[0]!.feature).toBe('oracle');
    const flat = model.icTable.find((r) => r.feature === 'flat')!;
    expect(Number.isNaN(flat.rankIC)).toBe(true);
    expect(flat.selectedShare).toBe(0);
  });

  it('records every selection and the last clustering in cluster order', () => {
    expect(model.selections).toHaveLength(run.history.length);
    expect(model.selections[0]!.reason).toBe('initial');
    const map = model.lastClusters!;
    for (let i = 1; i < map.cluster.length; i++) expect(map.cluster[i]!).toBeGreaterThanOrEqual(map.cluster[i - 1]!);
    expect(map.cluster[0]).toBe(0);
    for (let i = 0; i < map.features.length; i++) expect(map.correlation[i]![i]).toBeCloseTo(1, 6);
    expect(map.unscored).toContain('flat');
  });
});

describe('features.json and features.html', () => {
  it('writes non-finite numbers as null and is deterministic', () => {
    expect(jsonNumber(NaN)).toBe('null');
    expect(jsonNumber(-Infinity)).toBe('null');
    expect(jsonNumber(-0)).toBe('0');
    const text = featureReportJson(model);
    // as a value, not inside a string (descriptions may say NaN in words); JSON.parse below would reject it anyway
    expect(text).not.toMatch(/[:,[]\s*-?(NaN|Infinity)/);
    const parsed = JSON.parse(text);
    expect(parsed.icTable.find((r: { feature: string }) => r.feature === 'flat').rankIC).toBeNull();
    expect(featureReportJson(buildFeatureReport({ set, panel, run, source: '<img src=x onerror=alert(1)>' }))).toBe(text);
  });

  it('escapes every text it puts into the page', () => {
    const html = renderFeatureReportHtml(model);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('the &lt;future&gt; &amp; &quot;more&quot;');
    expect(html.match(/<svg[\s>]/g)?.length).toBe(3);
    expect(html).not.toContain('<script');
  });
});
