import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { Connection } from 'mongoose';
import { readAccessRules } from './access/accessRules.js';
import type { Caller } from './access/caller.js';
import { enforceAccess } from './access/enforceAccess.js';
import type { ConfigSection, ServiceConfig, ServiceName } from './config.js';
import { formatError } from './errors.js';
import { createEventBus, type EventBus } from './events/index.js';
import { createHttpService, listen } from './http.js';
import { INTERNAL_CONTEXT_HEADER, verifyInternalContext } from './internalContext.js';
import { createLogger, type Logger } from './logger.js';
import { watchConsumerLag } from './metrics/consumerLagMetrics.js';
import { requestMetricsPlugin } from './metrics/requestMetricsPlugin.js';
import { connectMongo, ensureIndexes, isConnected } from './mongo.js';
import { startObservability } from './observability.js';

/**
 * A subgraph's resolver map. Its types come from the subgraph's own generated `Resolvers`
 * (`src/generated/resolvers.ts`, `npm run codegen`), which check every resolver against the SDL and the
 * context; the bootstrap only hands the map to `buildSubgraphSchema`.
 */
export type ResolverMap = Record<string, object>;

/** What `buildSubgraphSchema` takes as resolvers, read from its signature (no import from its `dist`). */
type SubgraphResolvers = Extract<
  Parameters<typeof buildSubgraphSchema>[0],
  { typeDefs: unknown }
>['resolvers'];

/** What every resolver gets, whatever the subgraph. */
export interface RequestContext {
  requestId: string;
  logger: Logger;
  caller: Caller;
}

/** What the bootstrap provides to a subgraph besides its runtime. */
export interface SubgraphServices {
  /** The mesh's event bus: publish after the database write, before answering. */
  events: EventBus;
  /** The service's logger (requests get a child with their request id). */
  logger: Logger;
}

/**
 * A subgraph, as its domain: everything else (HTTP, database, health, shutdown) is the bootstrap's.
 * `TRuntime` is its per-process state (`src/runtime.ts`), `TSection` its own settings (`src/config.ts`).
 */
export interface SubgraphDefinition<
  TRuntime,
  TContext extends object,
  TSection extends object = Record<never, never>,
> {
  name: ServiceName;
  /** The schema-first SDL file. */
  schemaFile: URL;
  resolvers: ResolverMap;
  /** The service's own settings, validated with the shared base at boot. */
  config?: ConfigSection<TSection>;
  /** Registers the subgraph's mongoose models on its own connection and builds its per-process state. */
  runtime(conn: Connection, config: ServiceConfig & TSection): TRuntime;
  /** Per-request additions to the context, typically fresh DataLoaders (and the bus, when it publishes). */
  context(runtime: TRuntime, services: SubgraphServices): TContext;
  /** Runs once after the indexes exist and before the service listens: recovery and warm-up. */
  prepare?(runtime: TRuntime, services: SubgraphServices): Promise<void>;
  /**
   * Work that runs beside the service: event consumers (handlers idempotent by event id), model watchers.
   * Started once the service listens; stopped after it drained and before the bus closes.
   */
  background?(runtime: TRuntime, services: SubgraphServices): { stop(): Promise<void> | void }[];
}

/** Any subgraph definition, whatever its runtime, context and settings (for code that starts several). */
// biome-ignore lint/suspicious/noExplicitAny: the three parameters vary per subgraph.
export type AnySubgraphDefinition = SubgraphDefinition<any, any, any>;

export interface RunningSubgraph<TRuntime> {
  name: ServiceName;
  url: string;
  port: number;
  runtime: TRuntime;
  connection: Connection;
  /** The event bus (for consumers started next to the service). */
  events: EventBus;
  logger: Logger;
  /** The metrics listener's port when METRICS_PORT is set (else `/metrics` is on `port`). */
  metricsPort?: number;
  /** Drains in-flight requests, then closes the event bus (unless it was given) and the database connection. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Emit driver command events on the connection's client (tests count round trips with them). */
  monitorCommands?: boolean;
  /** Use this event bus (the caller closes it) instead of the one `createEventBus` opens from config. */
  events?: EventBus;
  /** Mongo adapter: the bus database on the service's MongoDB server (default EVENT_BUS_DB). */
  busDbName?: string;
}

/** The one way a subgraph boots: connect, create indexes, build the schema, serve, report health. */
export async function startSubgraph<TRuntime, TContext extends object, TSection extends object>(
  def: SubgraphDefinition<TRuntime, TContext, TSection>,
  config: ServiceConfig & TSection,
  opts: StartOptions = {},
): Promise<RunningSubgraph<TRuntime>> {
  const logger = opts.logger ?? createLogger({ service: def.name, ...config.log });
  const observability = startObservability(config, logger);
  const connection = await connectMongo({
    uri: config.mongo.uri,
    dbName: config.mongo.dbName,
    logger,
    monitorCommands: opts.monitorCommands,
  });
  const runtime = def.runtime(connection, config);
  await ensureIndexes(connection);
  // The bus the config names (EVENT_BUS); with mongo, one bus database shared by every service on the
  // server, which each service sweeps (idempotent).
  const events =
    opts.events ??
    (await createEventBus(config, logger, {
      busDbName: opts.busDbName,
      monitorCommands: opts.monitorCommands,
    }));
  const unwatchLag = watchConsumerLag(() => events.lag());
  const services: SubgraphServices = { events, logger };
  await def.prepare?.(runtime, services);

  const typeDefs = parse(readFileSync(def.schemaFile, 'utf8'));
  // The schema's @authenticated / @requiresScopes / @policy rules, checked again here behind the gateway.
  const schema = enforceAccess(
    buildSubgraphSchema({ typeDefs, resolvers: def.resolvers as SubgraphResolvers }),
    readAccessRules(typeDefs),
  );
  type Ctx = RequestContext & TContext;
  const apollo = new ApolloServer<Ctx>({
    schema,
    logger,
    introspection: config.env !== 'production',
    includeStacktraceInErrorResponses: false,
    // No "Did you mean …?" in production: validation errors do not read the schema out.
    hideSchemaDetailsFromClientErrors: config.env === 'production',
    // Signals are handled once, by runUntilSignal, which stops the HTTP server before Apollo.
    stopOnTerminationSignals: false,
    formatError: (formatted) =>
      formatError(formatted, (f) => logger.error({ error: f }, 'internal error hidden from client')),
    // No Apollo Studio here: per-request trace building is cost without a reader. No cache hints either
    // (no @cacheControl in the schemas), so no per-field cache policy bookkeeping: about 4 % of a
    // recommendations request's CPU (10 edges, ~130 fields).
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      requestMetricsPlugin<Ctx>(def.name),
    ],
  });
  await apollo.start();

  const server = createHttpService<Ctx>({
    apollo,
    logger,
    maxBodyBytes: config.http.maxBodyBytes,
    ready: () => isConnected(connection),
    health: () => ({ service: def.name }),
    service: def.name,
    metrics: observability.metricsOnServicePort,
    async context(req, requestId) {
      const header = req.headers[INTERNAL_CONTEXT_HEADER];
      // In production only the gateway is answered: `_entities` and `_service` included.
      const caller = verifyInternalContext(
        typeof header === 'string' ? header : undefined,
        config.internalSecret,
        { required: config.env === 'production' },
      );
      return {
        requestId,
        caller,
        logger: logger.child({ requestId }),
        ...def.context(runtime, services),
      } as Ctx;
    },
  });
  const port = await listen(server, config.http.port, config.http.host);
  await observability.listen();
  const background = def.background?.(runtime, services) ?? [];
  const url = `http://${config.http.host}:${port}/graphql`;
  logger.info({ url }, `${def.name} subgraph ready`);

  let stopping: Promise<void> | undefined;
  return {
    name: def.name,
    url,
    port,
    runtime,
    connection,
    events,
    logger,
    ...(observability.metricsPort !== undefined ? { metricsPort: observability.metricsPort } : {}),
    stop: () => {
      stopping ??= (async () => {
        await closeServer(server);
        await apollo.stop();
        await Promise.all(background.map((b) => b.stop()));
        unwatchLag();
        await observability.stop();
        if (!opts.events) await events.close();
        await connection.close();
        logger.info(`${def.name} subgraph stopped`);
      })();
      return stopping;
    },
  };
}

/** Stops accepting connections and resolves once in-flight requests have been answered. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    // Requests still in flight after the grace period are cut.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  });
}
