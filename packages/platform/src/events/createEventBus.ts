import type { ServiceConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { MongoEventBus } from './mongoEventBus.js';
import { NatsEventBus } from './natsEventBus.js';
import type { EventBus } from './types.js';

export interface CreateEventBusOptions {
  /** Mongo: use this bus database instead of `config.events.mongoDbName` (tests). */
  busDbName?: string;
  /** Mongo: sweep retention from this process (default true; a process that only reads may skip it). */
  sweep?: boolean;
  /** Mongo: emit driver command events on the bus connection (tests count its reads). */
  monitorCommands?: boolean;
}

/** How often a Mongo bus sweeps retention. */
const SWEEP_EVERY_MS = 5 * 60 * 1000;

/**
 * The event bus the configuration names (`EVENT_BUS=mongo|nats`): any process may open one (a subgraph
 * through `startSubgraph`, the gateway for its subscriptions, a CLI); `close()` releases it.
 */
export async function createEventBus(
  config: Pick<ServiceConfig, 'events' | 'mongo' | 'service'>,
  logger: Logger,
  opts: CreateEventBusOptions = {},
): Promise<EventBus> {
  const { events } = config;
  if (events.adapter === 'nats')
    return NatsEventBus.connect({
      logger,
      url: events.nats.url,
      stream: events.nats.stream,
      retentionMs: events.retentionMs,
      name: `attention-mesh-${config.service}`,
    });
  return MongoEventBus.connect({
    uri: config.mongo.uri,
    dbName: opts.busDbName ?? events.mongoDbName,
    logger,
    monitorCommands: opts.monitorCommands,
    pollIntervalMs: events.pollMs,
    idlePollIntervalMs: events.idlePollMs,
    ...(opts.sweep === false ? {} : { sweep: { olderThanMs: events.retentionMs, everyMs: SWEEP_EVERY_MS } }),
  });
}
