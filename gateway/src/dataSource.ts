import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ANONYMOUS } from '@attention-mesh/platform';
import { Agent, fetch as undiciFetch } from 'undici';
import type { GatewayContext } from './context.js';
import type { GatewayPlugin, SubgraphResponse } from './plugins/gatewayPlugin.js';

/** One keep-alive connection pool for every subgraph call. */
export function createSubgraphAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: 128,
    pipelining: 1,
  });
}

/** Calls one subgraph over the shared undici pool, running the plugins' subgraph hooks. */
export class MeshDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly name: string,
    url: string,
    agent: Agent,
    private readonly plugins: readonly GatewayPlugin[],
  ) {
    super({
      url,
      fetcher: ((input: string, init: Parameters<typeof undiciFetch>[1]) =>
        undiciFetch(input, { ...init, dispatcher: agent })) as unknown as RemoteGraphQLDataSource['fetcher'],
    });
  }

  /** Errors of the HTTP exchange itself; only these are failures for `onSubgraphFailure`. */
  private readonly failures = new WeakSet<object>();

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // The gateway's own calls (health checks) come without a client request's context: they act for
    // nobody, whatever that object holds, and are signed as the anonymous caller.
    const ctx = context as Partial<GatewayContext>;
    const full: GatewayContext =
      ctx.caller && ctx.internalContext ? (context as GatewayContext) : { requestId: '', caller: ANONYMOUS };
    for (const p of this.plugins)
      await p.willSendSubgraphRequest?.({ name: this.name, request, context: full });
  }

  override didEncounterError(error: Error): never {
    if (typeof error === 'object' && error) this.failures.add(error);
    throw error;
  }

  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<SubgraphResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      if (typeof error !== 'object' || !error || !this.failures.has(error)) throw error;
      for (const p of this.plugins) {
        const answer = p.onSubgraphFailure?.({ name: this.name, error, request: options.request });
        if (answer) return answer;
      }
      throw error;
    }
  }
}
