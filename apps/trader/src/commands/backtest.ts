/** `arena backtest`: loads data (or the synthetic market), runs the backtest with baselines, prints and writes the report. */
import { type ArenaConfig, type BarPanel, ERR, EXPERT_NAMES, arenaError, formatTimerange, parseTimerange, resolveDataDir, timerangeIndices } from '@arena/core';
import { generateSyntheticMarket, loadDataset } from '@arena/streams';
import { type ComputeInfo, computeExperts, runBacktest, writeReports } from '@arena/engine';
import { type Expert, type ExpertSeries, FlatExpert, computeExpertsWithKernels, createLearnedExpert, kernelPathPays } from '@arena/experts';
import { anyCrossover, initRuntime } from '@arena/kernels';
import { createRouter } from '@arena/router';
import { loadConfig, parseNumber, parseWeights } from '../configFile.ts';
import { contestFor, routeWithTeam, runDataTeamFor } from './contestStage.ts';
import { createProgress } from '../progress.ts';

export interface BacktestFlags {
  config?: string;
  data?: string;
  symbols?: string;
  timeframe?: string;
  timerange?: string;
  feeBps?: string;
  out: string;
  synthetic?: boolean;
  seed?: string;
  assets?: string;
  bars?: string;
  strict?: boolean;
  longOnly?: boolean;
  weights?: string;
  router?: string;
  routerModel?: string;
  contest?: boolean;
  agents?: string;
  db?: string;
  baselines: boolean;
}

export function configFromFlags(f: BacktestFlags): ArenaConfig {
  const num = (flag: string, v: string | undefined) => (v === undefined ? undefined : parseNumber(flag, v));
  const config = loadConfig(f.config, {
    'data.dir': f.synthetic ? undefined : f.data,
    'data.symbols': f.symbols?.split(',').map((s) => s.trim()),
    'data.timeframe': f.timeframe,
    'data.timerange': f.timerange,
    'data.strict': f.strict,
    'synthetic.seed': num('--seed', f.seed),
    'synthetic.assets': num('--assets', f.assets),
    'synthetic.bars': num('--bars', f.bars),
    'synthetic.timeframe': f.synthetic || !f.data ? f.timeframe : undefined,
    'broker.feeBps': num('--fee-bps', f.feeBps),
    'portfolio.longOnly': f.longOnly,
    'experts.weights': f.weights === undefined ? undefined : parseWeights(f.weights),
    // --weights alone means: combine with these static weights
    'router.mode': f.router ?? (f.weights !== undefined ? 'static' : undefined),
    'router.model': f.routerModel,
    'contest.enabled': f.contest,
    'contest.agents': num('--agents', f.agents),
  });
  if (f.synthetic !== true) return config;
  // --synthetic wins over a data folder named in the config file
  const { dir: _ignored, ...data } = config.data;
  return { ...config, data };
}

export interface LoadedMarket {
  panel: BarPanel;
  source: string;
  dataIssues: { errors: number; warnings: number };
  /** funding rates aligned on the panel (perpetuals with a funding folder beside their bars) */
  funding?: Float64Array;
  /** the synthetic market's true regime per cell (absent for data files) */
  regimes?: Uint8Array;
  /** the rows the loader skipped, with file:line and why */
  skipped?: readonly { where: string; message: string }[];
}

export async function loadMarket(config: ArenaConfig, log: (s: string) => void): Promise<LoadedMarket> {
  const dir = config.data.dir === undefined ? undefined : resolveDataDir(config.data.dir);
  const timerange = config.data.timerange === undefined ? undefined : parseTimerange(config.data.timerange);
  if (dir === undefined) {
    const s = config.synthetic;
    const market = generateSyntheticMarket({ seed: s.seed, assets: s.assets, bars: s.bars, timeframe: s.timeframe });
    log(`synthetic market: seed ${s.seed}, ${s.assets} assets x ${s.bars} ${s.timeframe} bars (regime switching; see docs/synthetic.md)`);
    let panel = market.panel;
    let regimes = market.regimes;
    if (timerange !== undefined) {
      const [t0, t1] = timerangeIndices(panel.ts, timerange);
      if (t1 <= t0) {
        const covers = `${new Date(panel.ts[0]!).toISOString()} .. ${new Date(panel.ts[panel.nTimes - 1]!).toISOString()}`;
        throw arenaError(ERR.DATA_EMPTY_RANGE, 'the synthetic market', formatTimerange(timerange), covers);
      }
      panel = panel.slice(t0, t1);
      regimes = regimes.subarray(t0 * panel.nAssets, t1 * panel.nAssets);
    }
    return { panel, source: `synthetic seed=${s.seed}`, dataIssues: { errors: 0, warnings: 0 }, regimes };
  }
  const ds = loadDataset({
    dir,
    ...(config.data.timeframe !== undefined ? { timeframe: config.data.timeframe } : {}),
    strict: config.data.strict,
    ...(config.data.symbols ? { symbols: config.data.symbols } : {}),
    ...(timerange !== undefined ? { timerange } : {}),
  });
  const errors = ds.issues.filter((i) => i.severity === 'error');
  const warnings = ds.issues.length - errors.length;
  log(
    `loaded ${ds.panel.nAssets} symbols x ${ds.panel.nTimes} ${ds.panel.timeframe} bars from ${dir} in ${ds.loadMs.toFixed(0)} ms` +
      `${ds.resampled ? ` (resampled from ${ds.sourceTimeframe})` : ''}; ${errors.length} bad rows skipped, ${warnings} warnings`,
  );
  for (const issue of errors.slice(0, 5)) log(`  skipped ${issue.where}: ${issue.message}`);
  return { panel: ds.panel, source: config.data.dir!, dataIssues: { errors: errors.length, warnings }, skipped: errors.map((e) => ({ where: e.where, message: e.message })), ...(ds.funding ? { funding: ds.funding } : {}) };
}

/** The experts through the tensor runtime's kernels, or the streaming path with the reason when the panel has holes. */
async function expertsOnKernels(panel: BarPanel, config: ArenaConfig, log: (s: string) => void, learned: Expert | undefined): Promise<{ experts: ExpertSeries[] | undefined; compute: ComputeInfo }> {
  if (!anyCrossover()) {
    // no kernel was ever measured faster than its CPU reference: skip loading the tensor runtime altogether
    const note = 'no CPU/tensor crossover measured (packages/kernels/src/thresholds.json): experts streamed';
    log(`experts: streaming path (${note})`);
    return { experts: undefined, compute: { backend: 'none', experts: 'streaming', note } };
  }
  const rt = await initRuntime({ log });
  const ctx = { nAssets: panel.nAssets, periodsPerYear: panel.periodsPerYear() };
  if (!kernelPathPays(panel, rt)) {
    const note = `the CPU measured faster than ${rt.info.backend} at this size (packages/kernels/src/thresholds.json): experts streamed`;
    log(`experts: streaming path (${note})`);
    return { experts: undefined, compute: { backend: rt.info.backend, experts: 'streaming', note } };
  }
  const t0 = performance.now();
  const batch = await computeExpertsWithKernels(panel, config.experts, ctx, rt, undefined, learned);
  if (!Array.isArray(batch)) {
    log(`experts: streaming path (${batch.obstacle})`);
    return { experts: undefined, compute: { backend: rt.info.backend, experts: "streaming", note: batch.obstacle } };
  }
  const ms = performance.now() - t0;
  log(`experts: ${batch.length} on the kernels (${rt.info.backend}) in ${ms.toFixed(0)} ms`);
  return { experts: batch, compute: { backend: rt.info.backend, experts: 'kernels', note: 'each kernel on the CPU reference or the tensor backend by its measured crossover size' } };
}

export async function backtestCommand(flags: BacktestFlags): Promise<void> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const config = configFromFlags(flags);
  const { panel, source, dataIssues, funding } = await loadMarket(config, log);
  if (panel.nTimes < 2) throw arenaError(ERR.DATA_TOO_SHORT, panel.nTimes, source, 2);
  const wantsLearned = (config.experts.weights.learned ?? 0) > 0;
  // one tensor runtime for the learned expert and the router, when either needs it
  const runtime = wantsLearned || config.router.mode === 'model' || config.router.mode === 'vlm' ? await initRuntime({ log }) : undefined;
  const learned = wantsLearned ? await createLearnedExpert(config.experts.learned, { log, ...(runtime ? { runtime } : {}), ...(funding ? { funding } : {}) }) : undefined;
  // with the contest, the data team's factors are scored first: the learned expert and the router read the chosen selection
  const team = config.contest.enabled ? runDataTeamFor(panel, funding, config, learned, log) : undefined;
  const onKernels = await expertsOnKernels(panel, config, log, learned);
  const compute = onKernels.compute;
  let experts = onKernels.experts;
  if (experts === undefined) {
    const t0 = performance.now();
    experts = computeExperts(panel, config, learned);
    if (learned !== undefined) log(`experts: ${experts.length} computed in ${(performance.now() - t0).toFixed(0)} ms (learned: ${learned instanceof FlatExpert ? 'flat' : 'LiteConvNet'})`);
  }
  const router = await createRouter(config, { log, ...(runtime ? { runtime } : {}) });
  const routeStart = performance.now();
  const routing = await routeWithTeam(router, panel, experts.map((e) => e.exposure), funding, team);
  log(`router: ${routing.source} weights for ${panel.nAssets} x ${panel.nTimes} bars in ${(performance.now() - routeStart).toFixed(0)} ms`);
  const contest = config.contest.enabled
    ? await contestFor({ panel, config, experts, routing, ...(runtime ? { runtime } : {}), ...(team ? { team } : {}), source, kind: 'backtest', out: flags.out, ...(flags.db ? { db: flags.db } : {}) }, log)
    : undefined;
  const progress = createProgress('backtest');
  // the strategy, buy and hold, each expert alone, equal weight
  const stages = flags.baselines ? 3 + EXPERT_NAMES.length + (routing.source !== 'static' ? 1 : 0) + (contest ? 1 : 0) : 1;
  let stageIndex = -1;
  let lastStage = '';
  const started = performance.now();
  const result = runBacktest({
    panel,
    config,
    source,
    dataIssues,
    experts,
    routing,
    ...(contest ? { contest: { run: contest.stage.run, summary: contest.summary } } : {}),
    compute,
    baselines: flags.baselines,
    // one bar over the strategy and its baselines: the stages run one after the other
    onProgress: (stage, done, total) => {
      if (stage !== lastStage) (lastStage = stage), stageIndex++;
      progress.update(stageIndex * total + done, stages * total);
    },
  });
  progress.done();
  const elapsed = performance.now() - started;
  const written = writeReports(result, flags.out);
  process.stdout.write(written.summary);
  log(
    `\n${panel.nAssets * panel.nTimes} asset-bars in ${elapsed.toFixed(0)} ms` +
      ` (strategy + ${result.baselines.length} baselines); report: ${written.json}, ${written.html}${written.decisions ? `, ${written.decisions}` : ''}` +
      `${contest ? `; contest ledger: ${contest.ledgerPath} (arena contest report --db ${contest.ledgerPath})` : ''}`,
  );
}
