import { LATENCY_BUCKETS, metricsRegistry } from '@attention-mesh/platform';
import { Counter, Histogram } from 'prom-client';

const registers = [metricsRegistry];

export const subgraphFetchDuration = new Histogram({
  name: 'mesh_gateway_subgraph_fetch_duration_seconds',
  help: 'Gateway calls to a subgraph (retries included), by subgraph and outcome (HTTP status class or error)',
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const planCacheLookups = new Counter({
  name: 'mesh_gateway_query_plan_cache_total',
  help: "Lookups in the gateway's query plan cache, by result (hit or miss)",
  labelNames: ['result'] as const,
  registers,
});
