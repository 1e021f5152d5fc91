/**
 * Where each kernel moves from the CPU reference to the tensor backend: the smallest size (elements) at which
 * the backend measured faster, per backend, written by `npm run bench -- kernels` into thresholds.json.
 * A kernel or backend without a measurement stays on the CPU: no guessed thresholds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendName } from './kernel.ts';

export type ThresholdTable = Partial<Record<BackendName, Record<string, number>>>;

export const THRESHOLDS_FILE = fileURLToPath(new URL('./thresholds.json', import.meta.url));

let table: ThresholdTable | undefined;

export function thresholds(): ThresholdTable {
  if (table === undefined) {
    try {
      table = JSON.parse(readFileSync(THRESHOLDS_FILE, 'utf8')) as ThresholdTable;
    } catch {
      table = {};
    }
  }
  return table;
}

/** Elements from which `kernel` runs on `backend`; Infinity when never measured faster there. */
export function crossover(backend: BackendName, kernel: string): number {
  return thresholds()[backend]?.[kernel] ?? Infinity;
}

/** Whether any backend has a measured crossover at all (if none, every kernel call stays on the CPU). */
export function anyCrossover(): boolean {
  return Object.values(thresholds()).some((t) => t !== undefined && Object.keys(t).length > 0);
}

export function setThresholds(t: ThresholdTable): void {
  table = t;
}
