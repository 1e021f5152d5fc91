/** Error registry: every Arena error has a stable ARENA_E_* code, a message template, and is documented in docs/errors.md. */

export interface ErrorDefinition {
  readonly code: string;
  readonly template: string;
}

const registry = new Map<string, ErrorDefinition>();

/** Registers a code once; a second definition of the same code is a programming error. */
export function defineError<C extends string>(code: C, template: string): ErrorDefinition & { code: C } {
  if (!/^ARENA_E_[A-Z0-9_]+$/.test(code)) throw new Error(`invalid error code ${code}`);
  if (registry.has(code)) throw new Error(`error code ${code} defined twice`);
  const def = { code, template };
  registry.set(code, def);
  return def;
}

export function registeredErrors(): readonly ErrorDefinition[] {
  return [...registry.values()];
}

/** Formats %s / %d placeholders in order. */
function format(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%[sd]/g, () => (i < args.length ? String(args[i++]) : '?'));
}

export class ArenaError extends Error {
  readonly code: string;
  readonly where: string | undefined;
  constructor(def: ErrorDefinition, args: readonly unknown[] = [], where?: string) {
    const msg = format(def.template, args);
    super(where ? `${def.code}: ${where}: ${msg}` : `${def.code}: ${msg}`);
    this.name = 'ArenaError';
    this.code = def.code;
    this.where = where;
  }
}

export function arenaError(def: ErrorDefinition, ...args: unknown[]): ArenaError {
  return new ArenaError(def, args);
}

export function arenaErrorAt(def: ErrorDefinition, where: string, ...args: unknown[]): ArenaError {
  return new ArenaError(def, args, where);
}

export function isArenaError(e: unknown): e is ArenaError {
  return e instanceof ArenaError;
}

/**
 * An error's message on one line: its first line, joined with the next where the first only announces it (esbuild's
 * "Transform failed with 1 error:" comes before the `file:line:col: ERROR: reason` a user needs).
 */
export function messageLine(e: unknown): string {
  const lines = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = lines[0] ?? '';
  return first.endsWith(':') && lines[1] !== undefined ? `${first} ${lines[1]}` : first;
}
