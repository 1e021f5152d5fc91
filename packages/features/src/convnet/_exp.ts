import { Rng } from '@arena/core';
import { generateSyntheticMarket } from '@arena/streams';
import { loadTf } from '@arena/kernels';
import { runSelector } from '../selector.ts';
import { buildInputs, buildTargets } from './inputs.ts';
import { trainConvNet, DEFAULT_TRAIN } from './train.ts';
import { DEFAULT_SPEC, convNetCost } from './architecture.ts';
import { measureSparsity } from './prune.ts';
const { panel } = generateSyntheticMarket({ seed: 1, assets: 6, bars: 6000, timeframe: '1h' });
const T = panel.nTimes, A = panel.nAssets;
const rng = new Rng(3);
const cols: Float64Array[] = [];
const names: string[] = [];
for (const lag of [1, 4, 12, 24, 48]) { const c = new Float64Array(T*A).fill(NaN); for (let t=lag;t<T;t++) for (let a=0;a<A;a++) c[t*A+a]=Math.log(panel.close[t*A+a]!/panel.close[(t-lag)*A+a]!); cols.push(c); names.push('ret_'+lag); }
for (let k=0;k<30;k++){ cols.push(Float64Array.from({length:T*A},()=>rng.normal())); names.push('noise_'+k);}
const set = { features: names.map(n=>({name:n, group:'returns' as const, window:1, description:n})), nTimes:T, nAssets:A, columns: cols };
let t0 = performance.now();
const run = runSelector(set, panel, { window: 500, horizon: 4 });
console.log('selector', (performance.now()-t0).toFixed(0), 'ms', run.history.length, run.history.at(-1)!.features);
t0 = performance.now();
const inp = buildInputs(set, run); const tg = buildTargets(panel, 4);
console.log('inputs', (performance.now()-t0).toFixed(0));
const tf = await loadTf(); await tf.setBackend('cpu');
const spec = { ...DEFAULT_SPEC, features: names.length };
const b = process.env.B ?? "cpu"; if (b === "wasm") { const { loadWasmBackend } = await import("@arena/kernels"); await loadWasmBackend(); } await tf.setBackend(b); console.log("backend", tf.getBackend());
console.log(convNetCost(spec));
let last = 0;
const r = await trainConvNet(tf, inp, tg, { ...DEFAULT_TRAIN, spec, rows: [0, 4500], onProgress: (p) => { if (p.done - last >= 32 || p.stage==='done' || p.detail.includes('valid')) { last = p.done; console.log(p.stage, p.done, p.total, p.detail, ((performance.now()-t0)/1000).toFixed(1)+'s'); } } }, (t) => new Date(panel.ts[t]!).toISOString());
console.log(JSON.stringify(r.folds), r.metrics, r.pruning.maxProbChange, r.pruning.sizeCorrelation, r.seconds, measureSparsity(r.model));
