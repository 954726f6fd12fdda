import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import {
  closeServer,
  createHttpService,
  createLogger,
  formatError,
  type Logger,
  listen,
} from '@attention-mesh/platform';
import { callerFromAuthorization } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createSubgraphAgent, type GatewayContext, MeshDataSource } from './dataSource.js';
import { staticSupergraph } from './supergraph.js';

export interface RunningGateway {
  url: string;
  port: number;
  logger: Logger;
  stop(): Promise<void>;
}

/** The gateway: one Apollo Federation 2 supergraph over the five subgraphs. */
export async function startGateway(
  config: GatewayConfig,
  opts: { logger?: Logger } = {},
): Promise<RunningGateway> {
  const logger = opts.logger ?? createLogger({ service: 'gateway', ...config.log });
  const agent = createSubgraphAgent();
  const gateway = new ApolloGateway({
    supergraphSdl: staticSupergraph(config.supergraphFile, config.watchSupergraph, logger),
    buildService: ({ name, url }) =>
      new MeshDataSource(config.subgraphUrls[name] ?? url ?? '', config.internalSecret, agent),
    logger,
  });
  const production = config.env === 'production';
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    // Signals are handled once, by runUntilSignal, which stops the HTTP server before Apollo.
    stopOnTerminationSignals: false,
    formatError: (formatted) =>
      formatError(formatted, (f) => logger.error({ error: f }, 'internal error hidden from client')),
    plugins: [
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
  await apollo.start();

  const server = createHttpService<GatewayContext>({
    apollo,
    logger,
    maxBodyBytes: config.http.maxBodyBytes,
    ready: () => true,
    health: () => ({ service: 'gateway' }),
    async context(req, requestId) {
      return { requestId, caller: callerFromAuthorization(req.headers.authorization, config.jwtSecret) };
    },
  });
  const port = await listen(server, config.http.port, config.http.host);
  const url = `http://${config.http.host === '0.0.0.0' ? 'localhost' : config.http.host}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    logger,
    stop: () => {
      stopping ??= (async () => {
        await closeServer(server);
        await apollo.stop();
        await agent.close();
        logger.info('gateway stopped');
      })();
      return stopping;
    },
  };
}
