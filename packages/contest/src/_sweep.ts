import { Rng } from '../../core/src/index.ts';
import { Contest } from './contest.ts';
const SK = Number(process.argv[2] ?? 0.0015);
const base = { window: 24, topK: 5, minWindows: 5, minPairs: 64, shrinkage: 10, prior: 0, minSharpe: 0.5, ridge: 0.05, forgetting: 0.98, allocation: 'proportional' as const, covShrink: 0.5 };
function play(S: typeof base, mean: (i: number, w: number) => number, seed: number, n = 20, W = 80) {
  const rng = new Rng(seed); const c = new Contest(n, S, 8760); const r = new Float64Array(n); const fr = [];
  for (let w = 0; w < W; w++) for (let b = 0; b < 24; b++) { for (let i = 0; i < n; i++) r[i] = mean(i, w) + 0.01 * rng.normal(); const f = c.observe(r, 0, w * 24 + b, b === 23); if (f) fr.push(f); }
  return fr;
}
for (const ridge of [3, 5]) for (const minSharpe of [1, 1.5]) {
  const S = { ...base, ridge, minSharpe };
  let pure = 0, tot = 0, cover = 0, cashCost = 0, cashZero = 0, totC = 0, drop = 0;
  for (let seed = 1; seed <= 4; seed++) {
    const fr = play(S, (i) => (i < 5 ? SK : -0.0002), seed).slice(20);
    for (const f of fr) { tot++; if (f.adopted.length && f.adopted.every((i) => i < 5)) pure++; cover += f.adopted.filter((i) => i < 5).length / 5; }
    const c1 = play(S, () => -0.0002, seed + 10); const c0 = play(S, () => 0, seed + 20);
    for (let k = 0; k < c1.length; k++) { totC++; if (c1[k]!.cash) cashCost++; if (c0[k]!.cash) cashZero++; }
    const d = play(S, (i, w) => (i === 0 ? (w < 40 ? SK : -SK) : i < 5 ? SK : -0.0002), seed + 30, 20, 90);
    drop += d.findIndex((f, w) => w >= 40 && !f.adopted.includes(0)) - 40;
  }
  console.log(`ridge ${ridge} hurdle ${minSharpe}: pure ${(pure / tot).toFixed(2)} cover ${(cover / tot).toFixed(2)} cashCost ${(cashCost / totC).toFixed(2)} cashZero ${(cashZero / totC).toFixed(2)} dropAfter ${(drop / 4).toFixed(1)}`);
}
const S2 = { ...base, ridge: 3, minSharpe: 1.5 };
for (let seed = 1; seed < 12; seed++) { const fr = play(S2, () => -0.0002, seed); console.log(seed, fr.filter((f) => !f.cash).map((f) => f.index).join(',')); }
