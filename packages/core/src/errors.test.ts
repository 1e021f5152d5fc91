import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArenaError, ERR, arenaErrorAt, defineError, registeredErrors } from './index.ts';

const docs = readFileSync(fileURLToPath(new URL('../../../docs/errors.md', import.meta.url)), 'utf8');
const documented = [...docs.matchAll(/^\| `(ARENA_E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

describe('error registry', () => {
  it('documents every registered code in docs/errors.md, and nothing else', () => {
    const codes = registeredErrors().map((d) => d.code);
    expect(codes.length).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...codes].sort());
  });

  it('lists each documented code once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('refuses to define a code twice or a malformed code', () => {
    expect(() => defineError('ARENA_E_CONFIG', 'again')).toThrow(/defined twice/);
    expect(() => defineError('E_BAD' as 'ARENA_E_X', 'x')).toThrow(/invalid error code/);
  });

  it('formats the message with the code and the place', () => {
    const e = arenaErrorAt(ERR.DATA_HEADER, 'BTC_USDT.csv:1', 'Date,Open', 'ts,open,high,low,close,volume');
    expect(e).toBeInstanceOf(ArenaError);
    expect(e.code).toBe('ARENA_E_DATA_HEADER');
    expect(e.message).toBe('ARENA_E_DATA_HEADER: BTC_USDT.csv:1: bad header "Date,Open" (expected ts,open,high,low,close,volume)');
  });
});
