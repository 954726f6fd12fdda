import type { Server } from 'node:http';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { ConsumerLag, EventBus, Logger } from '@attention-mesh/platform';
import type { GraphQLSchema } from 'graphql';
import type { CallerSources } from '../auth/callerOf.js';
import type { DemandLimits } from '../plugins/useDemandControl.js';
import { attachGraphqlWs } from './graphqlWsTransport.js';
import { openSubscriptionBus, subscriptionConsumerName } from './openSubscriptionBus.js';
import { SSE_PATH, sseHandler } from './sseTransport.js';
import { SubscriptionEngine } from './subscriptionEngine.js';
import { SubscriptionHub } from './subscriptionHub.js';
import type { SubscriptionsConfig } from './subscriptionsConfig.js';

export interface SubscriptionsOptions {
  config: SubscriptionsConfig;
  demand: DemandLimits;
  internalSecret: string;
  contextTtlMs: number;
  maxBodyBytes: number;
  sources: CallerSources;
  serviceMap(): Record<string, GraphQLDataSource>;
  logger: Logger;
  /** Use this bus (the caller closes it) instead of opening one (`openSubscriptionBus`). */
  eventBus?: EventBus;
}

export interface Subscriptions {
  /** From the gateway's `onSchemaLoadOrUpdate`. */
  update(apiSchema: GraphQLSchema, coreSupergraphSdl: string): void;
  /** Serves graphql-ws at /graphql and SSE at /graphql/stream on the gateway's HTTP server. */
  attach(server: Server): void;
  /** Open subscriptions, over both transports. */
  open(): number;
  /** The bus's durable consumers and their lag (`Query.eventConsumers`). */
  lag(): Promise<ConsumerLag[]>;
  /** Ends every subscription, closes the WebSocket server and the bus subscription. */
  stop(): Promise<void>;
}

/** The gateway's subscriptions (DESIGN §3, point 4), wired by `startGateway`. */
export function createSubscriptions(opts: SubscriptionsOptions): Subscriptions {
  const logger = opts.logger.child({ component: 'subscriptions' });
  const hub = new SubscriptionHub({
    openBus: () =>
      opts.eventBus ? Promise.resolve(opts.eventBus) : openSubscriptionBus(opts.config.bus, logger),
    ownsBus: !opts.eventBus,
    consumer: subscriptionConsumerName(),
    logger,
  });
  const engine = new SubscriptionEngine({
    config: opts.config,
    demand: opts.demand,
    internalSecret: opts.internalSecret,
    contextTtlMs: opts.contextTtlMs,
    serviceMap: opts.serviceMap,
    hub,
    logger,
  });
  let ws: { close(): Promise<void> } | undefined;
  return {
    update: (apiSchema, sdl) => engine.update(apiSchema, sdl),
    lag: () => hub.lag(),
    attach(server) {
      ws = attachGraphqlWs({
        server,
        engine,
        sources: opts.sources,
        maxPerConnection: opts.config.maxPerConnection,
        maxPayloadBytes: Math.min(opts.maxBodyBytes, 1024 * 1024),
        connectionInitTimeoutMs: opts.config.connectionInitTimeoutMs,
        logger,
      });
      const sse = sseHandler({ engine, sources: opts.sources, maxBodyBytes: opts.maxBodyBytes, logger });
      // The platform's HTTP service serves /graphql; the stream path is answered before it.
      const listeners = server.listeners('request') as ((...args: unknown[]) => void)[];
      server.removeAllListeners('request');
      server.on('request', (req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === SSE_PATH) {
          void sse(req, res);
          return;
        }
        for (const l of listeners) l.call(server, req, res);
      });
    },
    open: () => hub.size,
    async stop() {
      await hub.stop();
      await ws?.close();
    },
  };
}
