/**
 * contest: the contest's step time (proposals of every agent, their rewards at every horizon, statistics, the score
 * model and adoption at window ends, the combined target) for 32, 256 and 2048 agents x 10 and 100 assets, stepped
 * bar by bar over 20 scoring windows after the score model is ready; the same with the SQLite ledger recording every
 * proposal and outcome (one transaction per step); and the batch run's throughput (AgentRewards on the CPU and on wasm).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPERT_NAMES, Rng, parseConfig } from '@arena/core';
import { ContestStepper, researchTeam, runContest } from '@arena/contest';
import { ContestLedger, Ledger, contestSettings } from '@arena/engine';
import { initRuntime } from '@arena/kernels';
import { generateSyntheticMarket } from '@arena/streams';
import { type Bench, quantile, sized } from './harness.ts';

const E = EXPERT_NAMES.length;
const WINDOW = 24;
const WARM = 12 * WINDOW;
const STEPS = sized(20, 2) * WINDOW;


function inputs(A: number, T: number) {
  const rng = new Rng(7);
  const exposures = Array.from({ length: E }, () => Float64Array.from({ length: T * A }, () => Math.tanh(rng.normal())));
  const weights = Float32Array.from({ length: T * A * E }, () => 0.2);
  const { panel } = generateSyntheticMarket({ seed: 3, assets: A, bars: T, timeframe: '1h' });
  return { panel, bars: { exposures, weights, present: panel.present } };
}

async function stepTimes(N: number, A: number, withLedger: boolean): Promise<{ p50: number; p99: number; mean: number }> {
  const T = WARM + STEPS;
  const { panel, bars } = inputs(A, T);
  const config = parseConfig({ contest: { agents: N, window: WINDOW } });
  const dir = withLedger ? mkdtempSync(join(tmpdir(), 'arena-contest-bench-')) : undefined;
  const ledger = dir ? Ledger.open(join(dir, 'ledger.db')) : undefined;
  const runId = ledger?.startRun({ kind: 'bench', source: 'synthetic', symbols: panel.symbols, timeframe: '1h', periodsPerYear: panel.periodsPerYear(), config });
  const sink = ledger && runId !== undefined ? new ContestLedger(ledger, runId, 0) : undefined;
  const stepper = new ContestStepper({
    agents: researchTeam(N, { horizons: config.contest.horizons }),
    settings: contestSettings(config),
    horizons: config.contest.horizons,
    nAssets: A,
    symbols: panel.symbols,
    barMs: 3_600_000,
    periodsPerYear: panel.periodsPerYear(),
    cost: 0.0012,
    slot: 1 / A,
    ...(sink ? { sink } : {}),
  });
  const ms: number[] = [];
  for (let t = 0; t < T; t++) {
    const t0 = performance.now();
    if (ledger) ledger.db.exec('BEGIN');
    stepper.step(bars, t, panel.ts[t]!, panel.close, t * A);
    if (ledger) ledger.db.exec('COMMIT');
    if (t >= WARM) ms.push(performance.now() - t0);
  }
  ledger?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), mean: ms.reduce((s, v) => s + v, 0) / ms.length };
}

export const contestBench: Bench = {
  name: 'contest',
  description: 'contest step time for 32/256/2048 agents x 10/100 assets; with the ledger; batch throughput',
  async run() {
    const rows: [string, string, string][] = [];
    const results: { agents: number; assets: number; stepMs: number; stepP99Ms: number }[] = [];
    for (const assets of sized([10, 100], [10])) {
      for (const agents of sized([32, 256, 2048], [32])) {
        const r = await stepTimes(agents, assets, false);
        results.push({ agents, assets, stepMs: Number(r.mean.toFixed(4)), stepP99Ms: Number(r.p99.toFixed(4)) });
        rows.push([`step ${agents} agents x ${assets} assets (mean / p99)`, `${r.mean.toFixed(3)} / ${r.p99.toFixed(3)}`, 'ms']);
        process.stderr.write(`contest: ${agents} x ${assets} done\n`);
      }
    }
    const ledger32 = await stepTimes(32, 10, true);
    const ledger256 = await stepTimes(sized(256, 32), sized(100, 10), true);
    rows.push(['step with ledger, 32 x 10 (mean / p99)', `${ledger32.mean.toFixed(3)} / ${ledger32.p99.toFixed(3)}`, 'ms']);
    rows.push(['step with ledger, 256 x 100 (mean / p99)', `${ledger256.mean.toFixed(3)} / ${ledger256.p99.toFixed(3)}`, 'ms']);
    // batch: a year of hourly bars, 256 agents x 10 assets, rewards at 3 horizons on the CPU reference and on wasm
    const T = sized(8760, 500);
    const { panel, bars } = inputs(10, T);
    const config = parseConfig({ contest: { agents: 256 } });
    const common = { panel, bars, agents: researchTeam(256), settings: contestSettings(config), horizons: [1, 4, 24], cost: 0.0012, slot: 0.1 };
    let t0 = performance.now();
    await runContest(common);
    const cpuMs = performance.now() - t0;
    const rt = await initRuntime({ backend: 'wasm' });
    t0 = performance.now();
    await runContest({ ...common, runtime: rt, force: 'tfjs' });
    const wasmMs = performance.now() - t0;
    rows.push(['batch 256 agents x 10 assets x 8760 bars, CPU', cpuMs.toFixed(0), 'ms']);
    rows.push(['batch 256 agents x 10 assets x 8760 bars, wasm kernel', wasmMs.toFixed(0), 'ms']);
    return {
      rows,
      json: {
        rows: results,
        window: WINDOW,
        steppedBars: STEPS,
        ledgerStepMs: { '32x10': Number(ledger32.mean.toFixed(4)), '256x100': Number(ledger256.mean.toFixed(4)) },
        batch: { agents: 256, assets: 10, bars: T, cpuMs: Math.round(cpuMs), wasmMs: Math.round(wasmMs) },
      },
    };
  },
};
