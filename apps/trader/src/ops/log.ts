/**
 * The daemon's structured log (pino): one JSON object per line on stderr ({level, time, msg, ...fields}), written
 * synchronously so nothing is lost when the process is killed. On a terminal (or --log-format pretty) it prints
 * "ISO-time level msg" lines instead.
 */
import pino from 'pino';

export type LogFormat = 'json' | 'pretty' | 'auto';

export interface Log {
  (msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function createLog(format: LogFormat = 'auto', base: Record<string, unknown> = {}): Log {
  const json = format === 'json' || (format === 'auto' && process.stderr.isTTY !== true);
  if (!json) {
    const line = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
      process.stderr.write(`${new Date().toISOString()} ${level} ${msg}${fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''}\n`);
    return Object.assign(line('info'), { warn: line('warn') });
  }
  const logger = pino({ base: { pid: process.pid, ...base }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
  const info = (msg: string, fields?: Record<string, unknown>) => (fields ? logger.info(fields, msg) : logger.info(msg));
  return Object.assign(info, { warn: (msg: string, fields?: Record<string, unknown>) => (fields ? logger.warn(fields, msg) : logger.warn(msg)) });
}
