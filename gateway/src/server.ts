import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ANONYMOUS,
  closeServer,
  createHttpService,
  createLogger,
  type EventBus,
  formatError,
  type Logger,
  listen,
  requestMetricsPlugin,
  startObservability,
} from '@attention-mesh/platform';
import { EVENTS_SUBGRAPH } from '@attention-mesh/schema';
import { createApiKeyResolver } from './auth/apiKeys.js';
import { createBearerVerifier } from './auth/verifyBearer.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createSubgraphAgent, MeshDataSource, type SharedReads } from './dataSource.js';
import { InFlight } from './dedupe/inFlight.js';
import { disableApolloTelemetry } from './observability/disableApolloTelemetry.js';
import { observePlanCache } from './observability/observePlanCache.js';
import type { GatewayPlugin, ServedGateway } from './plugins/gatewayPlugin.js';
import { useAccessControl } from './plugins/useAccessControl.js';
import { useAuth } from './plugins/useAuth.js';
import { useDemandControl } from './plugins/useDemandControl.js';
import { useFiniteNumbers } from './plugins/useFiniteNumbers.js';
import { useHardening } from './plugins/useHardening.js';
import { useInternalContext } from './plugins/useInternalContext.js';
import { usePersistedOperations } from './plugins/usePersistedOperations.js';
import { usePrivacyBudget } from './plugins/usePrivacyBudget.js';
import { useRateLimit } from './plugins/useRateLimit.js';
import { useResilience } from './plugins/useResilience.js';
import { useSubgraphErrors } from './plugins/useSubgraphErrors.js';
import { subgraphBreakers } from './resilience/subgraphBreakers.js';
import { createSubscriptions, type Subscriptions } from './subscriptions/createSubscriptions.js';
import { eventsDataSource } from './subscriptions/eventsDataSource.js';
import { refuseHttpSubscriptions } from './subscriptions/refuseHttpSubscriptions.js';
import { staticSupergraph, subgraphUrlOf } from './supergraph.js';
import { warmQueryPlans } from './warmQueryPlans.js';

export interface RunningGateway {
  url: string;
  port: number;
  logger: Logger;
  /** The metrics listener's port when METRICS_PORT is set (else `/metrics` is on `port`). */
  metricsPort?: number;
  /** Open subscriptions (graphql-ws and SSE); 0 with subscriptions off. */
  openSubscriptions(): number;
  stop(): Promise<void>;
}

export interface StartGatewayOptions {
  logger?: Logger;
  /**
   * For the protection benchmark's "off" gateway only (`bench/gateway/protection.ts`), never a
   * deployment: leaves out the plugins with these names (`GatewayPlugin.name`; a name no plugin has is
   * ignored) and what the gateway takes from them besides their hooks — 'persisted-operations' also
   * turns APQ off, 'hardening' its HTTP options and Apollo's suggestion switch, 'resilience' the
   * per-subgraph timeouts, retries and circuit breakers.
   */
  without?: readonly string[];
  /**
   * The event bus subscriptions read (the caller closes it), instead of the one the gateway opens on
   * the first subscription (`subscriptions/openSubscriptionBus.ts`).
   */
  eventBus?: EventBus;
}

/** The gateway: one Apollo Federation 2 supergraph over the five subgraphs. */
export async function startGateway(
  config: GatewayConfig,
  opts: StartGatewayOptions = {},
): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger({ service: 'gateway', ...config.log });
  const observability = startObservability(config, logger);
  const production = config.env === 'production';
  // The users subgraph resolves API keys; its URL follows the supergraph unless overridden.
  let usersUrl: string | undefined = config.subgraphUrls.users;
  const persisted = usePersistedOperations(config.persistedOperations);
  const hardening = useHardening({
    production,
    corsOrigins: config.corsOrigins,
    landingPage: config.landingPage,
  });
  const without = new Set(opts.without ?? []);
  const kept = (name: string) => !without.has(name);
  const plugins: GatewayPlugin[] = [
    useAuth({
      jwt: config.jwt,
      apiKeyCacheMs: config.apiKeyCacheMs,
      internalSecret: config.internalSecret,
      usersUrl: () => usersUrl,
    }),
    useRateLimit(config.rateLimit, logger),
    useInternalContext(config.internalSecret, config.contextTtlMs),
    persisted,
    useFiniteNumbers(),
    useDemandControl(config.demand, logger),
    useAccessControl({ publicSchemaFile: config.publicSchemaFile, logger }),
    usePrivacyBudget({
      usersUrl: () => usersUrl,
      internalSecret: config.internalSecret,
      contextTtlMs: config.contextTtlMs,
    }),
    useSubgraphErrors(logger),
    useResilience({ requestTimeoutMs: config.resilience.requestTimeoutMs, logger }),
    hardening,
    refuseHttpSubscriptions(),
  ].filter((p) => kept(p.name));
  const agent = createSubgraphAgent();
  const sharedReads: SharedReads | undefined = config.dedupe ? new InFlight() : undefined;
  const dataSources: Record<string, GraphQLDataSource> = Object.create(null);
  const subscriptions: Subscriptions | undefined = config.subscriptions.enabled
    ? createSubscriptions({
        config: config.subscriptions,
        demand: config.demand,
        internalSecret: config.internalSecret,
        contextTtlMs: config.contextTtlMs,
        maxBodyBytes: config.http.maxBodyBytes,
        sources: {
          verifyBearer: createBearerVerifier(config.jwt),
          resolveApiKey: createApiKeyResolver({
            usersUrl: () => usersUrl,
            internalSecret: config.internalSecret,
            cacheMs: config.apiKeyCacheMs,
          }),
        },
        serviceMap: () => dataSources,
        logger,
        ...(opts.eventBus ? { eventBus: opts.eventBus } : {}),
      })
    : undefined;
  const breakerOf = subgraphBreakers(config.resilience, logger);
  disableApolloTelemetry();
  const { subgraphTimeoutMs: timeoutMs, retries, retryDelayMs } = config.resilience;
  const gateway = new ApolloGateway({
    supergraphSdl: staticSupergraph(config.supergraphFile, config.watchSupergraph, logger),
    buildService: ({ name, url }) => {
      // The events subgraph is the gateway's own, in-process: its URL is never called.
      const source =
        name === EVENTS_SUBGRAPH
          ? eventsDataSource(subscriptions ? { lag: () => subscriptions.lag() } : {})
          : new MeshDataSource(
              name,
              config.subgraphUrls[name] ?? url ?? '',
              agent,
              plugins,
              kept('resilience') ? { timeoutMs, retries, retryDelayMs, breaker: breakerOf(name) } : undefined,
              sharedReads,
            );
      dataSources[name] = source;
      return source;
    },
    logger,
  });
  observePlanCache(gateway);
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    usersUrl = config.subgraphUrls.users ?? subgraphUrlOf(coreSupergraphSdl, 'users');
    subscriptions?.update(apiSchema, coreSupergraphSdl);
    // The plan cache starts empty on every load: fill it with the known documents, after this turn.
    if (kept('persisted-operations'))
      setImmediate(() =>
        warmQueryPlans(gateway, persisted.documents(), logger).catch((err: unknown) =>
          logger.warn({ err }, 'plan warm-up failed'),
        ),
      );
  });
  const served = plugins.reduce<ServedGateway>((g, p) => p.wrapGateway?.(g) ?? g, gateway);
  const apollo = new ApolloServer<GatewayContext>({
    gateway: served,
    logger,
    introspection: !production,
    ...(kept('demand-control') ? { parseOptions: { maxTokens: config.demand.maxTokens } } : {}),
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: kept('hardening') && hardening.hideSchemaDetailsFromClientErrors,
    persistedQueries: kept('persisted-operations') ? persisted.persistedQueries : false,
    // Signals are handled once, by runUntilSignal, which stops the HTTP server before Apollo.
    stopOnTerminationSignals: false,
    formatError: (formatted) =>
      formatError(formatted, (f) => logger.error({ error: f }, 'internal error hidden from client')),
    plugins: [
      requestMetricsPlugin<GatewayContext>('gateway'),
      ...plugins.flatMap((p) => p.apolloPlugins ?? []),
    ],
  });
  await apollo.start();
  const contextPlugins = plugins.filter(
    (p): p is GatewayPlugin & Required<Pick<GatewayPlugin, 'context'>> => p.context !== undefined,
  );

  const server = createHttpService<GatewayContext>({
    apollo,
    logger,
    maxBodyBytes: config.http.maxBodyBytes,
    ...(kept('hardening') ? { security: hardening.http } : {}),
    ready: () => true,
    health: () => ({ service: 'gateway' }),
    service: 'gateway',
    metrics: observability.metricsOnServicePort,
    async context(req, requestId) {
      // One object for the whole request: a copy per plugin would cost an allocation and a spread each.
      const context: GatewayContext = { requestId, caller: ANONYMOUS };
      for (const p of contextPlugins) Object.assign(context, await p.context(req, context));
      return context;
    },
  });
  subscriptions?.attach(server);
  const port = await listen(server, config.http.port, config.http.host);
  await observability.listen();
  const url = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    logger,
    ...(observability.metricsPort !== undefined ? { metricsPort: observability.metricsPort } : {}),
    openSubscriptions: () => subscriptions?.open() ?? 0,
    stop: () => {
      stopping ??= (async () => {
        // Open WebSockets and event streams would hold the HTTP server open.
        await subscriptions?.stop();
        await closeServer(server);
        await apollo.stop();
        await agent.close();
        await observability.stop();
        logger.info('gateway stopped');
      })();
      return stopping;
    },
  };
}
