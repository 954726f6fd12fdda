import { type Logger, pino } from 'pino';

export type { Logger };

/** JSON logs in production, pretty ones in development; every line carries the service name. */
export function createLogger(opts: { service: string; level: string; pretty: boolean }): Logger {
  return pino({
    level: opts.level,
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    transport: opts.pretty
      ? {
          target: 'pino-pretty',
          options: { colorize: true, ignore: 'pid,hostname,service', translateTime: 'HH:MM:ss.l' },
        }
      : undefined,
  });
}
