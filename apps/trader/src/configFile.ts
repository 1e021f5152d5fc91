/** Reads the config file (arena.config.json or arena.config.ts) and merges command-line overrides into it before validation. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type ArenaConfig, ERR, arenaError, messageLine, parseConfig } from '@arena/core';
import { require as tsxRequire } from 'tsx/cjs/api';

export const DEFAULT_CONFIG_FILE = 'arena.config.json';
export const DEFAULT_CONFIG_TS = 'arena.config.ts';

/** A TypeScript config: its default export (or the module itself), loaded synchronously through tsx. */
function loadTsConfig(full: string): unknown {
  let config: unknown;
  try {
    const m = tsxRequire(full, import.meta.url) as { default?: unknown };
    config = m.default ?? m;
  } catch (e) {
    throw arenaError(ERR.CONFIG, `${full} does not load: ${messageLine(e)}`);
  }
  return withImportedExperts(config, full);
}

/**
 * An arena.config.ts may import a user's expert and name it directly (`module: bollinger`): the spec is replaced by
 * the path of the file that exports it (found among the modules the config loaded), so that the config stays data
 * (the workers of `arena optimize` and the ledger get a path) and the expert loads and is checked like any other.
 */
function withImportedExperts(config: unknown, file: string): unknown {
  const custom = ((config as Json | undefined)?.['experts'] as Json | undefined)?.['custom'];
  if (!Array.isArray(custom) || custom.every((c) => typeof (c as Json)?.['module'] === 'string')) return config;
  const loaded = Object.values(createRequire(import.meta.url).cache);
  const fileOf = (spec: unknown) => loaded.find((m) => m !== undefined && (m.exports === spec || (m.exports as Json | undefined)?.['default'] === spec))?.filename;
  const resolved = custom.map((c: Json) => {
    if (typeof c?.['module'] === 'string' || typeof c?.['module'] !== 'object' || c['module'] === null) return c;
    const path = fileOf(c['module']);
    if (path === undefined) throw arenaError(ERR.CONFIG, `${file}: experts.custom ${String(c['name'])}: module is an object that no module the config imports exports as its default; import the expert's module (import spec from './x.ts') or give its path`);
    // tsx tags the files it loads for a config with a query (?namespace=...)
    return { ...c, module: path.replace(/\?.*$/, '') };
  });
  const experts = (config as Json)['experts'] as Json;
  return { ...(config as Json), experts: { ...experts, custom: resolved } };
}

type Json = Record<string, unknown>;

/** Loads `path` (or ./arena.config.json when present), applies overrides at dotted keys, validates all at once. */
export function loadConfig(path: string | undefined, overrides: Record<string, unknown>): ArenaConfig {
  let base: Json = {};
  const file = path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : existsSync(DEFAULT_CONFIG_TS) ? DEFAULT_CONFIG_TS : undefined);
  if (file !== undefined) {
    const full = resolve(file);
    if (!existsSync(full)) throw arenaError(ERR.CONFIG, `config file ${full} does not exist`);
    if (/\.(ts|mts)$/.test(full)) {
      base = loadTsConfig(full) as Json;
    } else {
      try {
        base = JSON.parse(readFileSync(full, 'utf8')) as Json;
      } catch (e) {
        throw arenaError(ERR.CONFIG, `${full} is not valid JSON: ${(e as Error).message}`);
      }
    }
    if (typeof base !== 'object' || base === null || Array.isArray(base)) {
      throw arenaError(ERR.CONFIG, `${full} must hold ${/\.(ts|mts)$/.test(full) ? 'an object as its default export' : 'a JSON object'}`);
    }
    // a copy: overrides must not write into a module's exported object
    base = structuredClone(base);
    resolveExpertModules(base, dirname(full));
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const parts = key.split('.');
    let node: Json = base;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      if (typeof next !== 'object' || next === null) node[p] = {};
      node = node[p] as Json;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return parseConfig(base);
}

/** The user's expert modules (experts.custom[].module) resolve against the config file's folder, not the working directory. */
function resolveExpertModules(base: Json, dir: string): void {
  const custom = (base['experts'] as Json | undefined)?.['custom'];
  if (!Array.isArray(custom)) return;
  for (const c of custom as Json[]) {
    const m = c?.['module'];
    if (typeof m === 'string' && m.length > 0 && !isAbsolute(m)) c['module'] = resolve(dir, m);
  }
}

/** `trend=0.4,reversal=0.2` -> { trend: 0.4, reversal: 0.2 } */
export function parseWeights(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [name, value] = part.split('=');
    const v = Number(value);
    if (!name || value === undefined || !Number.isFinite(v)) throw arenaError(ERR.CLI_ARG, '--weights', `"${part}" is not name=number`);
    out[name.trim()] = v;
  }
  return out;
}

export function parseNumber(flag: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw arenaError(ERR.CLI_ARG, flag, `"${text}" is not a number`);
  return v;
}

/** An integer flag in [min, max]. */
export function parseInteger(flag: string, text: string, min = -Infinity, max = Infinity): number {
  const v = parseNumber(flag, text);
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = min > -Infinity && max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` >= ${min}` : max < Infinity ? ` <= ${max}` : '';
    throw arenaError(ERR.CLI_ARG, flag, `${text} must be an integer${range}`);
  }
  return v;
}

/** An optional integer flag in [min, max] (undefined when not given). */
export function parseOptionalInteger(flag: string, text: string | undefined, min = -Infinity, max = Infinity): number | undefined {
  return text === undefined ? undefined : parseInteger(flag, text, min, max);
}

/** A number flag in [lo, hi) (hi excluded: a sparsity of 1 prunes every weight); `range` says it in words when given. */
export function parseInRange(flag: string, text: string, lo: number, hi: number, range = `in [${lo}, ${hi})`): number {
  const v = parseNumber(flag, text);
  if (!(v >= lo && v < hi)) throw arenaError(ERR.CLI_ARG, flag, `${text} must be ${range}`);
  return v;
}
