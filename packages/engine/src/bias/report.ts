/** The bias checks' console tables and JSON files. */
import { deterministicJson, writeReportFiles } from '@arena/core';
import { boxTable } from '../report/console.ts';
import type { LookaheadReport } from './lookahead.ts';
import type { RecursiveReport } from './recursive.ts';

const diffText = (d: number | null) => (d === null ? 'not warm' : d === 0 ? '0' : d.toExponential(1));

export function lookaheadTable(r: LookaheadReport): string {
  return boxTable(
    `LOOK-AHEAD ANALYSIS (${r.decisions.length} decision bars, each re-run on data ending at the decision; tolerance ${r.tolerance})`,
    ['Stage', 'Bars', 'Changed', 'Max difference', 'Largest |output|', 'Bias'],
    r.stages.map((s) => [s.stage, String(s.bars), String(s.changed), diffText(Number.isFinite(s.maxDiff) ? s.maxDiff : null), s.maxAbs.toPrecision(3), s.biased ? `YES (first ${s.firstChanged})` : 'no']),
  );
}

export function recursiveTable(r: RecursiveReport): string {
  return boxTable(
    `RECURSIVE ANALYSIS (difference at ${r.targets.length} target bars over each indicator's spread, by bars of startup; within ${r.tolerance} counts as equal)`,
    ['Indicator', ...r.startups.map((s) => `${s} bars`), 'Needs', 'Bias'],
    r.indicators.map((c) => [c.indicator, ...r.startups.map((s) => diffText(c.diffs[String(s)] ?? null)), c.needs === null ? `> ${r.startups.at(-1) ?? 0}` : String(c.needs), c.biased ? 'YES' : 'no']),
  );
}

export function writeBiasReport(outDir: string, name: 'lookahead' | 'recursive', report: LookaheadReport | RecursiveReport): string {
  const file = `${name}.json`;
  return writeReportFiles(outDir, { [file]: deterministicJson({ format: `arena-${name}-analysis`, version: 1, ...report }, 10) })[file]!;
}
