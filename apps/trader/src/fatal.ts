/**
 * How the CLI ends on an error: an Arena error is one line (`error: CODE: ...`) and exit status 2; anything else is
 * a bug, printed once with its stack, exit status 1. Installed for errors thrown outside the command's promise too.
 */
import { isArenaError } from '@arena/core';

export function reportFatal(e: unknown): void {
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
