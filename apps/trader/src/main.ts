/** Entry point of the `arena` CLI: runs a command; errors end it through reportFatal (one line for Arena errors). */
import { buildCli } from './cli.ts';
import { installFatalHandlers, reportFatal } from './fatal.ts';

installFatalHandlers();
try {
  await buildCli().parseAsync(process.argv);
} catch (e) {
  reportFatal(e);
}
