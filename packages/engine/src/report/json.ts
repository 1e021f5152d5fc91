/** Deterministic JSON of a report: same model, byte-identical text (key order as built, floats to 10 significant digits, no wall-clock time). */
import { deterministicJson, jsonNumberText } from '@arena/core';
import type { ReportModel } from './model.ts';

/** Significant digits kept for non-integer numbers: far above any metric's precision, and immune to last-bit float noise. */
export const JSON_SIGNIFICANT_DIGITS = 10;

/** A number as JSON: integers exactly, other finite numbers rounded to JSON_SIGNIFICANT_DIGITS, NaN and +-Infinity as null, -0 as 0. */
export function jsonNumber(v: number): string {
  return jsonNumberText(v, JSON_SIGNIFICANT_DIGITS);
}

/** Serialises a report model; key order is the model's construction order (fixed by buildReport; the config's keys are sorted). */
export function reportJson(model: ReportModel): string {
  return deterministicJson({ format: 'arena-backtest-report', version: 1, ...model }, JSON_SIGNIFICANT_DIGITS);
}
