/**
 * Deterministic JSON text for reports: same value, byte-identical text. Key order as built, non-integers to a
 * fixed number of significant digits (immune to last-bit float noise), NaN and +-Infinity as null, -0 as 0,
 * typed arrays as arrays, arrays of plain values on one line (files stay small, diffs readable).
 */

/** A number as JSON: integers exactly, other finite numbers to `digits` significant digits, non-finite as null. */
export function jsonNumberText(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  return String(Number(v.toPrecision(digits)));
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v !== 'object' || ArrayBuffer.isView(v);
}

function write(value: unknown, indent: string, digits: number, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'number') {
    out.push(jsonNumberText(value, digits));
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    write(Array.from(value as unknown as ArrayLike<number>), indent, digits, out);
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
    } else if (value.every(isPrimitive)) {
      out.push('[');
      value.forEach((v, i) => {
        if (i > 0) out.push(',');
        write(v, indent, digits, out);
      });
      out.push(']');
    } else {
      const inner = `${indent}  `;
      out.push('[\n');
      value.forEach((v, i) => {
        out.push(inner);
        write(v, inner, digits, out);
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
      write(v, inner, digits, out);
      out.push(i < entries.length - 1 ? ',\n' : '\n');
    });
    out.push(`${indent}}`);
  } else {
    out.push(JSON.stringify(String(value)));
  }
}

/** The value as deterministic, indented JSON text ending in a newline. */
export function deterministicJson(value: unknown, digits: number): string {
  const out: string[] = [];
  write(value, '', digits, out);
  out.push('\n');
  return out.join('');
}
