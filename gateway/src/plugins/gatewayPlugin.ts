import type { IncomingMessage } from 'node:http';
import type { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { ApolloServerOptionsWithGateway, ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context.js';

/** The request the gateway is about to send to a subgraph (headers are still writable). */
export type SubgraphRequest = GraphQLDataSourceProcessOptions<GatewayContext>['request'];

/** A subgraph's answer as the query planner reads it. */
export type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/** What Apollo Server runs operations through: ApolloGateway, or a plugin's wrapper around it. */
export type ServedGateway = ApolloServerOptionsWithGateway<GatewayContext>['gateway'];

/** A call to a subgraph that brought back no GraphQL answer (down, timed out, 5xx, not JSON). */
interface SubgraphFailure {
  /** The subgraph's name in the supergraph. */
  name: string;
  error: unknown;
  /** What was sent; `request.query` is the subgraph operation, to find the fields now missing. */
  request: SubgraphRequest;
}

/**
 * One gateway concern (auth, signing, error shaping, …) in the manner of Hive Gateway's `useXxx`
 * plugins: `server.ts` composes a list of them, so a new concern is a new file, not a branch there.
 * Every hook is optional; hooks run in list order.
 */
export interface GatewayPlugin {
  /** For logs and tests. */
  name: string;
  /** Apollo Server plugins this concern needs (landing page, usage limits, …). */
  apolloPlugins?: ApolloServerPlugin<GatewayContext>[];
  /**
   * Adds to the request's context; a thrown GraphQLError with `extensions.http.status` refuses the
   * request with that status.
   */
  context?(
    req: IncomingMessage,
    context: GatewayContext,
  ): Partial<GatewayContext> | undefined | Promise<Partial<GatewayContext> | undefined>;
  /**
   * Wraps the gateway Apollo Server executes operations through (e.g. to check or rewrite each
   * operation before it is planned); wrappers apply in list order, the first one innermost.
   */
  wrapGateway?(gateway: ServedGateway): ServedGateway;
  /** Before each subgraph call: set headers, refuse the call. */
  willSendSubgraphRequest?(args: {
    name: string;
    request: SubgraphRequest;
    context: GatewayContext;
  }): void | Promise<void>;
  /**
   * Turns a failed subgraph call into a GraphQL answer; the first plugin that returns one wins.
   * Unanswered, the failure reaches the client as an internal error without a path.
   */
  onSubgraphFailure?(failure: SubgraphFailure): SubgraphResponse | undefined;
}
