import type { Server } from 'node:http';
import type { ServiceConfig } from './config.js';
import { listen } from './http.js';
import type { Logger } from './logger.js';
import { createMetricsServer } from './metrics/metricsEndpoint.js';
import { startTracing } from './tracing/tracing.js';

/** What a service's bootstrap needs of metrics and tracing. */
export interface Observability {
  /** `/metrics` on the service's own port (no METRICS_PORT outside production). */
  metricsOnServicePort: boolean;
  /** The metrics listener's port, once listening (none when metrics are on the service's port). */
  metricsPort?: number;
  /** Opens the metrics listener, if there is one. */
  listen(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts tracing (when configured) before the service opens any connection, so its database client
 * is traced, and prepares where metrics are served (see `ServiceConfig.metrics`).
 */
export function startObservability(
  config: Pick<ServiceConfig, 'service' | 'http' | 'metrics' | 'tracing'>,
  logger: Logger,
): Observability {
  if (startTracing(config.service, config.tracing))
    logger.info({ endpoint: config.tracing.endpoint }, 'traces exported over OTLP');
  const port = config.metrics.port;
  let server: Server | undefined;
  const o: Observability = {
    metricsOnServicePort: port === undefined,
    async listen() {
      if (port === undefined || server) return;
      server = createMetricsServer(logger);
      o.metricsPort = await listen(server, port, config.http.host);
      logger.info({ port: o.metricsPort }, 'metrics served on their own port');
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s?.listening)
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
    },
  };
  return o;
}
