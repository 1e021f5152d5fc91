/** Benchmark plumbing: timing with medians, a printed table, and bench/results/NAME.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench -- --quick`: every benchmark at a small size, to check that it runs (the README test does); its
 * figures mean nothing, so they go to out/bench-quick/ and never to bench/results/ or thresholds.json.
 */
export const QUICK = process.argv.includes('--quick');

/** The full-size value, or the small one under --quick. */
export function sized<T>(full: T, quick: T): T {
  return QUICK ? quick : full;
}

export interface BenchReport {
  /** printed as a table: [label, value, unit] */
  readonly rows: readonly (readonly [string, string, string])[];
  /** written to bench/results/NAME.json (with machine facts added) */
  readonly json: Record<string, unknown>;
}

export interface Bench {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchReport>;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile of xs (the value at floor(q * n) of the sorted copy). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

export function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
}

export function machine(): Record<string, unknown> {
  return { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${process.platform}-${process.arch}` };
}

export function printTable(title: string, rows: BenchReport['rows']): string {
  const w0 = Math.max(...rows.map((r) => r[0].length), 6);
  const w1 = Math.max(...rows.map((r) => r[1].length), 5);
  const w2 = Math.max(...rows.map((r) => r[2].length), 4);
  const line = `+${'-'.repeat(w0 + 2)}+${'-'.repeat(w1 + 2)}+${'-'.repeat(w2 + 2)}+`;
  const out = [title, line, `| ${'metric'.padEnd(w0)} | ${'value'.padStart(w1)} | ${'unit'.padEnd(w2)} |`, line];
  for (const [a, b, c] of rows) out.push(`| ${a.padEnd(w0)} | ${b.padStart(w1)} | ${c.padEnd(w2)} |`);
  out.push(line);
  return out.join('\n');
}

export function writeResult(name: string, json: Record<string, unknown>): string {
  const dir = QUICK ? `${process.cwd()}/out/bench-quick/` : fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.json`;
  writeFileSync(path, `${JSON.stringify({ name, measuredAt: new Date().toISOString(), machine: machine(), ...json }, null, 2)}\n`);
  return path;
}
