/** features.json: deterministic text (key order as built, floats to 8 significant digits, NaN and +-Infinity as null). */
import type { FeatureReportModel } from './model.ts';

const DIGITS = 8;

/** A number as JSON: integers exactly, other finite numbers to DIGITS significant digits, non-finite as null, -0 as 0. */
export function jsonNumber(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  return String(Number(v.toPrecision(DIGITS)));
}

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== 'object';

function write(value: unknown, indent: string, out: string[]): void {
  if (value === null || value === undefined) out.push('null');
  else if (typeof value === 'number') out.push(jsonNumber(value));
  else if (typeof value === 'string' || typeof value === 'boolean') out.push(JSON.stringify(value));
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) write(Array.from(value as unknown as ArrayLike<number>), indent, out);
  else if (Array.isArray(value)) {
    if (value.length === 0) out.push('[]');
    else if (value.every(isPrimitive)) {
      // arrays of plain values (weights, matrix rows) stay on one line
      out.push('[');
      value.forEach((v, i) => {
        if (i > 0) out.push(',');
        write(v, indent, out);
      });
      out.push(']');
    } else {
      const inner = `${indent}  `;
      out.push('[\n');
      value.forEach((v, i) => {
        out.push(inner);
        write(v, inner, out);
        out.push(i < value.length - 1 ? ',\n' : '\n');
      });
      out.push(`${indent}]`);
    }
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      out.push('{}');
      return;
    }
    const inner = `${indent}  `;
    out.push('{\n');
    entries.forEach(([k, v], i) => {
      out.push(`${inner}${JSON.stringify(k)}: `);
      write(v, inner, out);
      out.push(i < entries.length - 1 ? ',\n' : '\n');
    });
    out.push(`${indent}}`);
  } else out.push(JSON.stringify(String(value)));
}

export function featureReportJson(model: FeatureReportModel): string {
  const out: string[] = [];
  write(model, '', out);
  out.push('\n');
  return out.join('');
}
