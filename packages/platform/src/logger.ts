import { type Logger, pino } from 'pino';
import { logTraceIds } from './tracing/logTraceIds.js';

export type { Logger };

/**
 * JSON logs in production, pretty ones in development; every line carries the service name, and the
 * trace and span ids when written inside a span.
 */
export function createLogger(opts: { service: string; level: string; pretty: boolean }): Logger {
  return pino({
    level: opts.level,
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: logTraceIds,
    transport: opts.pretty
      ? {
          target: 'pino-pretty',
          options: { colorize: true, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' },
        }
      : undefined,
  });
}
