import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { scrape, startProcessMetrics } from './registry.js';

/** Answers a scrape with every metric of the process. */
export async function serveMetrics(res: ServerResponse, logger: Logger): Promise<void> {
  startProcessMetrics();
  try {
    const { contentType, body } = await scrape();
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  } catch (err) {
    logger.error({ err }, 'metrics scrape failed');
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('metrics unavailable\n');
  }
}

/**
 * The metrics listener apart from the service's port (`METRICS_PORT`): in production the public port
 * never answers `/metrics`, so partners cannot read traffic figures, while the network policy opens
 * this port to Prometheus only. It answers `GET /metrics` and nothing else.
 */
export function createMetricsServer(logger: Logger): Server {
  startProcessMetrics();
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      void serveMetrics(res, logger);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
}
