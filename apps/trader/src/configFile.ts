/** Reads the config file (arena.config.json or arena.config.ts) and merges command-line overrides into it before validation. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type ArenaConfig, ERR, arenaError, parseConfig } from '@arena/core';
import { require as tsxRequire } from 'tsx/cjs/api';

export const DEFAULT_CONFIG_FILE = 'arena.config.json';
export const DEFAULT_CONFIG_TS = 'arena.config.ts';

/** A TypeScript config: its default export (or the module itself), loaded synchronously through tsx. */
function loadTsConfig(full: string): unknown {
  try {
    const m = tsxRequire(full, import.meta.url) as { default?: unknown };
    return m.default ?? m;
  } catch (e) {
    throw arenaError(ERR.CONFIG, `${full} does not load: ${(e as Error).message.split('\n')[0]}`);
  }
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
