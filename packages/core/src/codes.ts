/** Every error code of Arena, in one place (docs/errors.md documents each; a test keeps the two in sync). */
import { defineError } from './errors.ts';

export const ERR = {
  // configuration and CLI
  CONFIG: defineError('ARENA_E_CONFIG', '%s'),
  CLI_ARG: defineError('ARENA_E_CLI_ARG', 'invalid value for %s: %s'),
  CLI_USAGE: defineError('ARENA_E_CLI_USAGE', '%s (--help lists the options)'),
  TIMEFRAME: defineError('ARENA_E_TIMEFRAME', 'unknown timeframe "%s" (expected one of %s)'),
  PORT_IN_USE: defineError('ARENA_E_PORT_IN_USE', '%s is in use (%s)'),
  TIMERANGE: defineError('ARENA_E_TIMERANGE', 'invalid timerange "%s": %s'),
  // market data files
  DATA_DIR_MISSING: defineError('ARENA_E_DATA_DIR_MISSING', 'data folder %s does not exist'),
  DATA_NO_FILES: defineError('ARENA_E_DATA_NO_FILES', 'no candle files (*.csv or *.csv.gz) in %s'),
  DATA_UNKNOWN_SYMBOL: defineError('ARENA_E_DATA_UNKNOWN_SYMBOL', 'unknown symbol %s in %s (available: %s)'),
  DATA_EMPTY_RANGE: defineError('ARENA_E_DATA_EMPTY_RANGE', 'no bars of %s fall inside timerange %s (data covers %s)'),
  DATA_HEADER: defineError('ARENA_E_DATA_HEADER', 'bad header "%s" (expected %s)'),
  DATA_TIMEFRAME: defineError('ARENA_E_DATA_TIMEFRAME', 'cannot make %s bars from %s data (%s)'),
  DATA_SPACING: defineError('ARENA_E_DATA_SPACING', 'cannot tell the timeframe: %s'),
  DATA_DUPLICATE_SYMBOL: defineError('ARENA_E_DATA_DUPLICATE_SYMBOL', 'symbol %s is named twice (as %s)'),
  DATA_FILE: defineError('ARENA_E_DATA_FILE', 'cannot read %s: %s'),
  DATA_STRICT: defineError('ARENA_E_DATA_STRICT', '%d bad rows in %s (first: %s); rerun without --strict to skip them'),
  DATA_IMPORT: defineError('ARENA_E_DATA_IMPORT', 'cannot import %s: %s'),
  DATA_TOO_SHORT: defineError('ARENA_E_DATA_TOO_SHORT', 'only %d bars of %s after alignment; at least %d are needed'),
  // engine
  PANEL_SHAPE: defineError('ARENA_E_PANEL_SHAPE', '%s'),
  EXPERT_UNKNOWN: defineError('ARENA_E_EXPERT_UNKNOWN', 'unknown expert "%s" (known: %s)'),
  EXPERT_MODULE: defineError('ARENA_E_EXPERT_MODULE', 'expert module %s: %s'),
  EXPERT_SET: defineError('ARENA_E_EXPERT_SET', '%s'),
  REPORT_WRITE: defineError('ARENA_E_REPORT_WRITE', 'cannot write report to %s: %s'),
  BENCH_UNKNOWN: defineError('ARENA_E_BENCH_UNKNOWN', 'unknown benchmark "%s" (known: %s)'),
  LEDGER: defineError('ARENA_E_LEDGER', '%s'),
  CONVNET_SAMPLES: defineError('ARENA_E_CONVNET_SAMPLES', 'only %d samples for the convnet in %s (need >= %d): widen the timerange or shorten the selector window'),
  ROUTER_SAMPLES: defineError('ARENA_E_ROUTER_SAMPLES', 'cannot train a router on %s: %d training and %d validation samples; a sample needs the next %d bars of its asset within twice as many rows, and %s of the (bar, asset) cells have them'),
  EVAL_OVERLAP: defineError('ARENA_E_EVAL_OVERLAP', '%s: the comparison would not be out of sample (evaluate later bars, retrain the model on earlier ones, or pass --allow-overlap to run it with the rows marked)'),
} as const;
