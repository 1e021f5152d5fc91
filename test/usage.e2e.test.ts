/**
 * A wrong command line, flag value or environment ends the CLI with one line, a stable code and exit 2, before
 * anything loads or trains: never commander's help dump, a raw stack trace or a crash of V8 itself.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { arena } from './cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'arena-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [args: string[], line: RegExp, env?: Record<string, string>][] = [
  [['backtest', '--timeframe', '2h'], /^error: ARENA_E_TIMEFRAME: unknown timeframe "2h" \(expected one of 1m 5m 15m 1h 4h 1d\)$/],
  [['backtest', '--router', 'foo'], /^error: ARENA_E_CLI_USAGE: option '--router <mode>' argument 'foo' is invalid\. Allowed choices are model, static, equal, vlm\. \(--help lists the options\)$/],
  [['backtest', '--bar', '10'], /^error: ARENA_E_CLI_USAGE: unknown option '--bar' \(Did you mean --bars\?\) \(--help lists the options\)$/],
  [['backtest', '--data'], /^error: ARENA_E_CLI_USAGE: option '--data <dir>' argument missing/],
  [['bogus'], /^error: ARENA_E_CLI_USAGE: unknown command 'bogus'/],
  [['train', 'router', '--stride', '0'], /^error: ARENA_E_CLI_ARG: invalid value for --stride: 0 must be an integer >= 1$/],
  [['train', 'router', '--sft-epochs', '0', '--rl-epochs', '0'], /^error: ARENA_E_CLI_ARG: invalid value for --sft-epochs \/ --rl-epochs: both 0: nothing would be trained$/],
  [['train', 'convnet', '--sparsity', '1'], /^error: ARENA_E_CLI_ARG: invalid value for --sparsity: 1 must be in \[0, 1\)$/],
  [['train', 'convnet', '--folds', '0'], /^error: ARENA_E_CLI_ARG: invalid value for --folds: 0 must be an integer >= 1$/],
  [['train', 'convnet', '--selector-window', '5'], /^error: ARENA_E_CLI_ARG: invalid value for --selector-window \/ --horizon: features\.window must be an integer >= \d+, got 5$/],
  [['doctor', '--bench', '--seconds', 'abc'], /^error: ARENA_E_CLI_ARG: invalid value for --seconds: "abc" is not a number$/],
  [['doctor'], /^error: ARENA_E_CONFIG: ARENA_BACKEND must be one of auto, .+; got "foo"$/, { ARENA_BACKEND: 'foo' }],
  [['data', 'synth', '--out', join(dir, 's'), '--bars', '1e9'], /^error: ARENA_E_CLI_ARG: invalid value for --bars: 1e9 must be an integer in \[50, 10000000\]$/],
  [['data', 'import', join(dir, 'nope.csv'), '--out', join(dir, 'i')], /^error: ARENA_E_DATA_IMPORT: cannot import .+nope\.csv: no such file$/],
  [['data', 'import', dir, '--out', join(dir, 'i')], /^error: ARENA_E_DATA_IMPORT: cannot import .+: a folder, not a file/],
  // the VLM router does not step bar by bar: refused before anything loads or the ledger is opened (none is left)
  [['paper', '--synthetic', '--router', 'vlm', '--db', join(dir, 'vlm', 'ledger.db')], /^error: ARENA_E_CONFIG: router\.mode vlm: arena paper steps bar by bar and the VLM router decides over a whole panel only \(arena backtest, arena eval\); use --router model, the VLM's own fallback$/],
  [['recursive-analysis', '--data', 'crypto/binance/spot', '--timeframe', '1d'], /^error: ARENA_E_DATA_TOO_SHORT: only 365 bars of crypto\/binance\/spot after alignment; at least 590 are needed$/],
];

describe('command-line errors', () => {
  it.each(CASES)('arena %j: one coded line, exit 2', (args, line, env) => {
    const r = arena(args, undefined, env);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errors, r.stderr.slice(-1500)).toHaveLength(1);
    expect(errors[0]).toMatch(line);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/^Usage:/m);
    if (args[0] === 'paper') expect(existsSync(join(dir, 'vlm'))).toBe(false);
  }, 60_000);

  it('help still prints and exits 0; a command group without its subcommand prints its help', () => {
    const help = arena(['backtest', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: arena backtest \[options\]/);
    const group = arena(['data']);
    expect(group.code).toBe(1);
    expect(group.stderr).toMatch(/Usage: arena data \[options\] \[command\]/);
    expect(group.stderr).not.toMatch(/^error/m);
  }, 60_000);
});
