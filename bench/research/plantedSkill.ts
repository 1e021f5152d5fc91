/**
 * The router on a planted skill (docs/router.md, "Planted skill"): a synthetic market whose expert 0 is long through
 * every bar of regime R (0: trend_up) and holds a random side (per 24-bar block) elsewhere; the other four experts
 * hold random sides at a third of the size. SFT + RL on wasm; prints RL vs SFT on validation, router vs equal
 * weights on the test split, the weight the router puts on expert 0 in regime R and elsewhere, and the SFT target's.
 *   npx tsx bench/research/plantedSkill.ts [seed=11] [regime=0] [bars=4000] [sftEpochs=5] [oracleTemp=0.2] [target=reverse]
 */
import { initRuntime } from '@arena/kernels';
import { generateSyntheticMarket } from '@arena/streams';
import { trainRouterOnPanel, DEFAULT_TRAIN, predictSamples } from '@arena/router';
const seed = Number(process.argv[2] ?? 11);
const R = Number(process.argv[3] ?? 0);
const market = generateSyntheticMarket({ seed, assets: 4, bars: Number(process.argv[4] ?? 4000), timeframe: '1h' });
const p = market.panel; const A = p.nAssets; const T = p.nTimes;
let s = seed * 7919;
const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
const H = 24;
const experts = Array.from({ length: 5 }, () => new Float64Array(T * A));
for (let e = 0; e < 5; e++) for (let a = 0; a < A; a++) {
  let side = 1;
  for (let t = 0; t < T; t++) {
    const i = t * A + a;
    if (t % H === 0) side = rnd() < 0.5 ? -1 : 1;
    // expert 0: long through every bar of regime R (a trend_up regime pays it), a random side elsewhere; the
    // others hold random sides at a third of the size everywhere
    experts[e]![i] = e === 0 ? (market.regimes[i] === R ? 1 : side) : side / 3;
  }
}
const counts = [0, 0, 0, 0]; for (const r of market.regimes) counts[r]!++;
console.log('regime shares', counts.map((c) => (c / market.regimes.length).toFixed(2)).join(' '));
const rt = await initRuntime({ backend: 'wasm' });
const TRAIN = { ...DEFAULT_TRAIN, samplesPerEpoch: 2048, sft: { ...DEFAULT_TRAIN.sft, epochs: Number(process.argv[5] ?? 5), patience: 5, target: (process.argv[7] ?? 'reverse') as 'forward' | 'reverse' }, rl: { ...DEFAULT_TRAIN.rl, epochs: 3 } };
const t0 = performance.now();
const tr = await trainRouterOnPanel(rt.tf, p, experts, { name: 'planted', source: `synthetic seed=${seed}`, backend: 'wasm', regimeTruth: market.regimes, useFeatures: false, train: TRAIN, labels: { oracleTemp: Number(process.argv[6] ?? 0.2) } });
const m = tr.card.metrics;
console.log('train s', ((performance.now() - t0) / 1000).toFixed(0), 'sft valid', m.sft.validSharpe.toFixed(4), 'rl valid', m.rl.validSharpe.toFixed(4), 'rl best epoch', m.rl.bestEpoch, 'shrink', tr.card.shrink?.lambda);
console.log('test router', m.test.router.sharpe.toFixed(4), 'unshrunk', m.test.routerUnshrunk?.sharpe.toFixed(4), 'equal', m.test.equalWeight.sharpe.toFixed(4), 'oracle', m.test.oracle.sharpe.toFixed(4), 'regime acc', m.test.router.regimeAccuracy?.toFixed(3));
const idx = tr.splits.test;
const out = await predictSamples(rt.tf, tr.model, tr.dataset, idx);
const W = 4 + 5; const inR: [number, number] = [0, 0]; const outR: [number, number] = [0, 0];
for (let k = 0; k < idx.length; k++) {
  const l = out.subarray(k * W + 4, k * W + 9); const mx = Math.max(...l); const ex = Array.from(l, (v) => Math.exp(v - mx)); const z = ex.reduce((a, b) => a + b, 0);
  const w0 = ex[0]! / z; const cell = tr.dataset.cells[idx[k]!]!;
  if (market.regimes[cell] === R) { inR[0] += w0; inR[1]++; } else { outR[0] += w0; outR[1]++; }
}
console.log(`weight on the skilled expert: in regime ${R} ${(inR[0] / inR[1]).toFixed(3)} (${inR[1]} samples), elsewhere ${(outR[0] / outR[1]).toFixed(3)}`);
{
  const ds = tr.dataset; let a0 = 0, n0 = 0, a1 = 0, n1 = 0;
  for (let s = 0; s < ds.n; s++) { const c = ds.cells[s]!; const o = ds.oracle[s * 5]!; if (!Number.isFinite(o)) continue; if (market.regimes[c] === R) { a0 += o; n0++; } else { a1 += o; n1++; } }
  console.log('oracle target on expert 0: in regime', (a0 / n0).toFixed(3), 'elsewhere', (a1 / n1).toFixed(3));
  console.log(tr.card.epochs.map((e) => `${e.stage}${e.epoch} loss ${e.loss.toFixed(3)} v ${e.validSharpe.toFixed(3)}`).join(' | '));
}
