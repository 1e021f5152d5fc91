/**
 * The market a config names, as every mode reads it: the synthetic market or a folder of candle files (resolved
 * under the data root), cut to the timerange, its bars checked by the sources' one validator (a bad cell is absent,
 * with its reason), with funding for perpetuals and the synthetic market's true regimes.
 */
import { type ArenaConfig, type BarPanel, ERR, arenaError, formatTimerange, parseTimerange, resolveDataDir, timerangeIndices } from '@arena/core';
import { alignFundingDue, generateSyntheticMarket, loadDataset, validatePanel } from '@arena/streams';

export interface Market {
  readonly panel: BarPanel;
  /** 'synthetic seed=42' or the data folder as given */
  readonly source: string;
  readonly dataIssues: { errors: number; warnings: number };
  /** funding rates aligned on the panel (perpetuals with a funding folder beside their bars) */
  readonly funding?: Float64Array;
  /** funding rates settled at each bar's open (perpetuals), for the broker: see alignFundingDue */
  readonly fundingDue?: Float64Array;
  /** the synthetic market's true regime per cell (absent for data files) */
  readonly regimes?: Uint8Array;
  /** rows the loader skipped and cells the validator left out, with where and why */
  readonly skipped: readonly { where: string; message: string }[];
}

export function loadMarket(config: ArenaConfig, log: (s: string) => void): Market {
  const read = readMarket(config, log);
  // market.fundingDir names the funding files (for the synthetic market, or bars without a funding/ folder beside them)
  const market = config.market.fundingDir === undefined ? read : { ...read, fundingDue: fundingDueFrom(read.panel, config.market.fundingDir) };
  if (config.market.kind === 'perp' && market.fundingDue === undefined) log(`perp: no funding files beside the bars of ${market.source} (a sibling funding/ folder) and no market.fundingDir: funding is not charged`);
  return market;
}

function fundingDueFrom(panel: BarPanel, dir: string): Float64Array {
  const due = alignFundingDue(panel, resolveDataDir(dir));
  if (due === undefined) throw arenaError(ERR.CONFIG, `market.fundingDir ${dir} holds no funding file (SYMBOL.csv or .csv.gz with ts,funding_rate) for ${panel.symbols.join(', ')}`);
  return due;
}

function readMarket(config: ArenaConfig, log: (s: string) => void): Market {
  const dir = config.data.dir === undefined ? undefined : resolveDataDir(config.data.dir);
  const timerange = config.data.timerange === undefined ? undefined : parseTimerange(config.data.timerange);
  const skipped: { where: string; message: string }[] = [];
  const validated = (panel: BarPanel) => {
    const v = validatePanel(panel, (kind, reason) => skipped.push({ where: reason.split(': ')[0]!, message: `${kind}: ${reason.split(': ').slice(1).join(': ')}` }));
    if (v.rejected > 0) log(`validator: ${v.rejected} bars with wrong numbers left out (as a daemon's source leaves them out)`);
    return v.panel;
  };
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
    return { panel: validated(panel), source: `synthetic seed=${s.seed}`, dataIssues: { errors: 0, warnings: 0 }, regimes, skipped };
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
  // whole files left out (a foreign header, an unreadable file): each named, and recorded like a bad row
  const leftOut = ds.issues.filter((i) => i.kind === 'not_candle_file' || i.kind === 'unreadable_file');
  for (const issue of leftOut) log(`  left out ${issue.where}: ${issue.message}`);
  skipped.push(...errors.map((e) => ({ where: e.where, message: e.message })), ...leftOut.map((e) => ({ where: e.where, message: e.message })));
  return { panel: validated(ds.panel), source: config.data.dir!, dataIssues: { errors: errors.length, warnings }, skipped, ...(ds.funding ? { funding: ds.funding } : {}), ...(ds.fundingDue ? { fundingDue: ds.fundingDue } : {}) };
}
