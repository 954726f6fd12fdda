export { BoundedLabel, OTHER_LABEL } from './boundedLabel.js';
export { watchConsumerLag } from './consumerLagMetrics.js';
export { addAdSpend, countAdDecision, countAttentionEvents, observeInference } from './domainMetrics.js';
export { LATENCY_BUCKETS } from './meshMetrics.js';
export { createMetricsServer } from './metricsEndpoint.js';
export { registry as metricsRegistry, scrape } from './registry.js';
export { requestMetricsPlugin } from './requestMetricsPlugin.js';
