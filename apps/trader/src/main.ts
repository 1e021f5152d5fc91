/** Entry point of the `arena` CLI: runs a command, turns Arena errors into one clear line and exit code 2. */
import { isArenaError } from '@arena/core';
import { buildCli } from './cli.ts';

try {
  await buildCli().parseAsync(process.argv);
} catch (e) {
  if (isArenaError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    throw e;
  }
}
