/** Listening addresses of the daemon and the dashboard: parsing `[host:]port` flags and turning bind failures into one line. */
import { ERR, arenaError } from '@arena/core';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** The daemon's /healthz and /metrics address when neither --port nor --dashboard is given. */
export const DEFAULT_OPS_ADDRESS: Address = { host: '127.0.0.1', port: 8080 };

/** `8080`, `127.0.0.1:8080` or `0` (any free port); `flag` names the option in the error. */
export function parseAddress(s: string, flag = '--port'): Address {
  const m = /^(?:(.+):)?(\d+)$/.exec(s);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw arenaError(ERR.CLI_ARG, flag, `${s} (expected PORT or HOST:PORT, e.g. 127.0.0.1:8080)`);
  return { host: m[1] ?? '127.0.0.1', port };
}

/** Two addresses that bind the same socket (port 0 asks for a fresh port each time, so never). */
export function sameAddress(a: Address, b: Address): boolean {
  return a.port !== 0 && a.port === b.port && a.host === b.host;
}

/** Runs a listen call; a taken or forbidden address becomes ARENA_E_PORT_IN_USE / ARENA_E_CLI_ARG naming the flags. */
export async function listenOn<T>(at: Address, flags: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw arenaError(ERR.PORT_IN_USE, `${at.host}:${at.port}`, flags);
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw arenaError(ERR.CLI_ARG, flags, `cannot listen on ${at.host}:${at.port} (${code})`);
    throw e;
  }
}
