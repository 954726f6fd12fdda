import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import {
  ANONYMOUS,
  type Caller,
  INTERNAL_CONTEXT_HEADER,
  signInternalContext,
} from '@attention-mesh/platform';
import { Agent, fetch as undiciFetch } from 'undici';

export interface GatewayContext {
  requestId: string;
  caller: Caller;
}

/** One keep-alive connection pool for every subgraph call. */
export function createSubgraphAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: 128,
    pipelining: 1,
  });
}

/**
 * Calls a subgraph over the shared undici pool and signs who is calling: subgraphs trust only the
 * signed `x-mesh-context`, never headers a client could set.
 */
export class MeshDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, secret: string, agent: Agent) {
    super({
      url,
      fetcher: ((input: string, init: Parameters<typeof undiciFetch>[1]) =>
        undiciFetch(input, { ...init, dispatcher: agent })) as unknown as RemoteGraphQLDataSource['fetcher'],
    });
    this.secret = secret;
  }

  private readonly secret: string;

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const ctx = context as Partial<GatewayContext>;
    headers.set(INTERNAL_CONTEXT_HEADER, signInternalContext(ctx.caller ?? ANONYMOUS, this.secret));
    if (ctx.requestId) headers.set('x-request-id', ctx.requestId);
  }
}
