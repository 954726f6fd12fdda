import { collectDefaultMetrics, Registry } from 'prom-client';

/** The process's one registry: every mesh metric and Node's process metrics. */
export const registry = new Registry();

let defaultsStarted = false;

/**
 * Node's process metrics (CPU, memory, event-loop lag, GC), started once a process serves metrics:
 * their event-loop monitor costs a little, which a process that is never scraped does not pay.
 */
export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: registry });
}

/** The text exposition format of every metric, as a scrape reads it. */
export function scrape(): Promise<{ contentType: string; body: string }> {
  return registry.metrics().then((body) => ({ contentType: registry.contentType, body }));
}
