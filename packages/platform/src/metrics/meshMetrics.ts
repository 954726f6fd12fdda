import { Counter, Histogram } from 'prom-client';
import { registry } from './registry.js';

const registers = [registry];
/** Seconds: from a sub-millisecond cached read to a timed-out call. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** GraphQL operations served, per service, operation type and (bounded) operation name. */
export const graphqlRequests = new Counter({
  name: 'mesh_graphql_requests_total',
  help: 'GraphQL operations answered, by service, operation type and operation name',
  labelNames: ['service', 'operation_type', 'operation'] as const,
  registers,
});

export const graphqlDuration = new Histogram({
  name: 'mesh_graphql_request_duration_seconds',
  help: 'Time from receiving a GraphQL operation to its response, by service and operation',
  labelNames: ['service', 'operation_type', 'operation'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

/** One count per error in a response, by its `extensions.code`. */
export const graphqlErrors = new Counter({
  name: 'mesh_graphql_errors_total',
  help: 'GraphQL errors answered, by service, operation type and extensions.code',
  labelNames: ['service', 'operation_type', 'code'] as const,
  registers,
});

export const loaderBatchSize = new Histogram({
  name: 'mesh_dataloader_batch_size',
  help: 'Keys per DataLoader batch (one database query each)',
  buckets: BATCH_BUCKETS,
  registers,
});

export const inferenceDuration = new Histogram({
  name: 'mesh_model_inference_duration_seconds',
  help: 'One forward pass of a served model (a micro-batch), by model',
  labelNames: ['model'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

export const inferenceBatchSize = new Histogram({
  name: 'mesh_model_inference_batch_size',
  help: 'Requests per forward pass of a served model, by model',
  labelNames: ['model'] as const,
  buckets: BATCH_BUCKETS,
  registers,
});

export const adDecisions = new Counter({
  name: 'mesh_ad_decisions_total',
  help: 'Ad decisions taken (requestAds), by outcome: filled or no_fill',
  labelNames: ['outcome'] as const,
  registers,
});

export const adSpend = new Counter({
  name: 'mesh_ad_spend_micros_total',
  help: 'Ad spend charged to campaigns, in micros of the currency (recorded impressions and clicks)',
  registers,
});

export const attentionEvents = new Counter({
  name: 'mesh_attention_events_ingested_total',
  help: 'Attention events stored (duplicates, refused and dropped events not counted)',
  registers,
});
