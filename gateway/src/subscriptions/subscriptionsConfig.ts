import type { ServiceConfig } from '@attention-mesh/platform';

/** The gateway's subscriptions (see `GatewayConfig.subscriptions`). */
export interface SubscriptionsConfig {
  /** Serve graphql-ws and SSE subscriptions (SUBSCRIPTIONS_ENABLED, default true). */
  enabled: boolean;
  /**
   * The event bus the events come from, the services' own (EVENT_BUS, with EVENT_BUS_DB on MONGODB_URI's
   * server for mongo, NATS_URL and NATS_STREAM for nats).
   */
  bus: Pick<ServiceConfig, 'service' | 'events' | 'mongo'>;
  /** Open subscriptions on one graphql-ws connection (SUBSCRIPTIONS_MAX_PER_CONNECTION, default 20). */
  maxPerConnection: number;
  /** Open subscriptions of one caller over all connections (SUBSCRIPTIONS_MAX_PER_CALLER, default 100). */
  maxPerCaller: number;
  /** Pending events per subscription, after coalescing, before it is closed (SUBSCRIPTION_QUEUE_SIZE, 64). */
  queueSize: number;
  /** The longest argument value (ids), in characters: 128. */
  maxArgumentLength: number;
  /** How long who owns a campaign or an ad is remembered (SUBSCRIPTION_OWNER_CACHE_MS, default 60 s). */
  ownerCacheMs: number;
  /** How long a graphql-ws client may take to send `connection_init` (default 3 s). */
  connectionInitTimeoutMs: number;
}
