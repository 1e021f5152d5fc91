/**
 * How the CLI ends on an error: an Arena error is one line (`error: CODE: ...`) and exit status 2; anything else is
 * a bug, printed once with its stack, exit status 1. Installed for errors thrown outside the command's promise too.
 */
import { ERR, TIMEFRAMES, arenaError, isArenaError } from '@arena/core';
import { CommanderError } from 'commander';

/** Commander's own errors (the command line) as Arena errors; undefined where commander printed help or the version. */
export function commandLineError(e: CommanderError): Error | undefined {
  // help and version; and a command group named without its subcommand, whose help was printed (exit 1, as commander)
  if (e.exitCode === 0 || e.code === 'commander.help') return undefined;
  const text = e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
  const timeframe = /^option '--timeframe <tf>' argument '([^']*)' is invalid/.exec(text);
  if (timeframe) return arenaError(ERR.TIMEFRAME, timeframe[1]!, TIMEFRAMES.join(' '));
  return arenaError(ERR.CLI_USAGE, text);
}

export function reportFatal(e: unknown): void {
  if (e instanceof CommanderError) {
    const mapped = commandLineError(e);
    if (mapped === undefined) {
      process.exitCode = e.exitCode;
      return;
    }
    e = mapped;
  }
  if (isArenaError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    process.stderr.write(`error: unexpected: ${text}\n`);
    process.exitCode = 1;
  }
}

/** Uncaught exceptions and unhandled rejections end the process through reportFatal, never Node's default dump. */
export function installFatalHandlers(): void {
  const end = (e: unknown) => {
    reportFatal(e);
    process.exit();
  };
  process.on('uncaughtException', end);
  process.on('unhandledRejection', end);
}
