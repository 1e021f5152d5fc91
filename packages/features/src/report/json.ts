/** features.json: deterministic text (key order as built, floats to 8 significant digits, NaN and +-Infinity as null). */
import { deterministicJson, jsonNumberText } from '@arena/core';
import type { FeatureReportModel } from './model.ts';

const DIGITS = 8;

/** A number as JSON: integers exactly, other finite numbers to DIGITS significant digits, non-finite as null, -0 as 0. */
export function jsonNumber(v: number): string {
  return jsonNumberText(v, DIGITS);
}

export function featureReportJson(model: FeatureReportModel): string {
  return deterministicJson(model, DIGITS);
}
