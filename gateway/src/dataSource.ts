import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ANONYMOUS } from '@attention-mesh/platform';
import { Agent, type RequestInit } from 'undici';
import type { GatewayContext } from './context.js';
import { observeSubgraphFetch } from './observability/observeSubgraphFetch.js';
import type { GatewayPlugin, SubgraphResponse } from './plugins/gatewayPlugin.js';
import { CircuitBreaker } from './resilience/circuitBreaker.js';
import { createResilientFetch, type SubgraphCall } from './resilience/resilientFetch.js';

/** One keep-alive connection pool for every subgraph call. */
export function createSubgraphAgent(): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connections: 128,
    pipelining: 1,
  });
}

/** How calls to one subgraph are bounded (see `ResilienceConfig`). */
export interface SubgraphResilience {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  /** Shared by every data source of the subgraph; none: a breaker that never opens. */
  breaker?: CircuitBreaker;
}

const NO_RESILIENCE: SubgraphResilience = { timeoutMs: 30_000, retries: 0, retryDelayMs: 0 };

/**
 * Carries a call's id from `willSendRequest` to the fetcher (which Apollo hands only the URL, method,
 * headers and body); removed before the request goes out.
 */
const CALL_HEADER = 'x-mesh-gateway-call';
const WRITE = /^\s*(mutation|subscription)\b/;

/**
 * Calls one subgraph over the shared undici pool, running the plugins' subgraph hooks, under the
 * subgraph's timeout, retry and circuit-breaker rules.
 */
export class MeshDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly calls = new Map<string, SubgraphCall>();
  private lastCall = 0;

  constructor(
    private readonly name: string,
    url: string,
    agent: Agent,
    private readonly plugins: readonly GatewayPlugin[],
    resilience: SubgraphResilience = NO_RESILIENCE,
  ) {
    super({ url });
    const send = createResilientFetch({
      name,
      agent,
      ...resilience,
      breaker:
        resilience.breaker ?? new CircuitBreaker({ threshold: Number.POSITIVE_INFINITY, cooldownMs: 0 }),
    });
    const observed = observeSubgraphFetch(name, send);
    this.fetcher = ((input: string, init: RequestInit & { headers?: Record<string, string> }) => {
      const id = init.headers?.[CALL_HEADER];
      let call: SubgraphCall | undefined;
      if (id !== undefined) {
        call = this.calls.get(id);
        this.calls.delete(id);
        delete init.headers?.[CALL_HEADER];
      }
      return observed(input, init, call);
    }) as unknown as RemoteGraphQLDataSource['fetcher'];
  }

  /** Errors of the HTTP exchange itself; only these are failures for `onSubgraphFailure`. */
  private readonly failures = new WeakSet<object>();

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const { request, context } = options;
    // The gateway's own calls (health checks) come without a client request's context: they act for
    // nobody, whatever that object holds, and are signed as the anonymous caller.
    const ctx = context as Partial<GatewayContext>;
    const full: GatewayContext =
      ctx.caller && ctx.internalContext ? (context as GatewayContext) : { requestId: '', caller: ANONYMOUS };
    for (const p of this.plugins)
      await p.willSendSubgraphRequest?.({ name: this.name, request, context: full });
    // Only reads are retried: a subgraph query of a client operation that is not a mutation.
    const clientWrite =
      'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation !== 'query';
    const call: SubgraphCall = { retryable: !clientWrite && !WRITE.test(request.query ?? '') };
    if (full.signal) call.signal = full.signal;
    const id = String(++this.lastCall);
    this.calls.set(id, call);
    request.http?.headers.set(CALL_HEADER, id);
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
