/** `arena data inspect|import|synth`: look at candle files, normalise a user's CSV, export the synthetic market. */
import { parseTimeframe, resolveDataDir } from '@arena/core';
import { formatInspection, generateSyntheticMarket, importCsv, inspectDir, writeSyntheticMarket } from '@arena/streams';
import { parseInteger } from '../configFile.ts';

export function inspectCommand(dir: string): void {
  process.stdout.write(`${formatInspection(inspectDir(resolveDataDir(dir)))}\n`);
}

export async function importCommand(files: string[], flags: { out: string; symbol?: string; timeframe?: string }): Promise<void> {
  if (flags.symbol !== undefined && files.length > 1) {
    process.stderr.write('--symbol applies to one file; each file is named from its own file name otherwise\n');
  }
  for (const file of files) {
    const result = await importCsv({
      file,
      outDir: flags.out,
      ...(flags.symbol !== undefined ? { symbol: flags.symbol } : {}),
      ...(flags.timeframe !== undefined ? { timeframe: parseTimeframe(flags.timeframe) } : {}),
    });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
}

export function synthCommand(flags: { out: string; seed: string; assets: string; bars: string; timeframe: string }): void {
  const market = generateSyntheticMarket({
    seed: parseInteger('--seed', flags.seed),
    assets: parseInteger('--assets', flags.assets, 1, 10_000),
    // at least what a backtest takes, and few enough for memory
    bars: parseInteger('--bars', flags.bars, 50, 10_000_000),
    timeframe: parseTimeframe(flags.timeframe),
  });
  const { files } = writeSyntheticMarket(market, flags.out);
  process.stdout.write(`${files.join('\n')}\n`);
}
