import { STATUS_CODES } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ANONYMOUS } from '@attention-mesh/platform';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import type { GatewayContext } from './context.js';
import { dedupeKey } from './dedupe/dedupeKey.js';
import type { InFlight } from './dedupe/inFlight.js';
import { observeSubgraphFetch } from './observability/observeSubgraphFetch.js';
import type { GatewayPlugin, SubgraphRequest, SubgraphResponse } from './plugins/gatewayPlugin.js';
import { CircuitBreaker } from './resilience/circuitBreaker.js';
import {
  createResilientFetch,
  type SubgraphAnswer,
  type SubgraphCall,
  type SubgraphTarget,
} from './resilience/resilientFetch.js';
import { restrictCachePolicy } from './restrictCachePolicy.js';
import { SubgraphHeaders } from './subgraphHeaders.js';

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
const WRITE = /^\s*(mutation|subscription)\b/;

/** Identical reads in flight, shared by every data source (GATEWAY_DEDUPE). */
export type SharedReads = InFlight<SubgraphAnswer>;

/**
 * Calls one subgraph over the shared undici pool, running the plugins' subgraph hooks, under the
 * subgraph's timeout, retry and circuit-breaker rules; identical reads in flight are sent once when
 * `shared` is given. In place of @apollo/gateway's
 * RemoteGraphQLDataSource, whose fetch stack builds `Headers`, `Request` and `Response` objects for
 * every call and reads the body twice.
 */
export class MeshDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly target: SubgraphTarget;
  /** The resilient exchange, timed per subgraph and traced (`observeSubgraphFetch`). */
  private readonly exchange: (
    headers: Record<string, string>,
    body: string,
    call: SubgraphCall,
  ) => Promise<SubgraphAnswer>;

  constructor(
    private readonly name: string,
    private readonly url: string,
    agent: Agent,
    private readonly plugins: readonly GatewayPlugin[],
    resilience: SubgraphResilience = NO_RESILIENCE,
    private readonly shared?: SharedReads,
  ) {
    const parsed = new URL(url);
    this.target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    const fetch = createResilientFetch({
      name,
      agent,
      ...resilience,
      breaker:
        resilience.breaker ?? new CircuitBreaker({ threshold: Number.POSITIVE_INFINITY, cooldownMs: 0 }),
    });
    this.exchange = observeSubgraphFetch(name, url, (headers, body: string, call: SubgraphCall) =>
      fetch(this.target, headers, body, call),
    );
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { request, context } = options;
    // The gateway's own calls (health checks) come without a client request's context: they act for
    // nobody, whatever that object holds, and are signed as the anonymous caller.
    const ctx = context as Partial<GatewayContext>;
    const full: GatewayContext =
      ctx.caller && ctx.internalContext ? (context as GatewayContext) : { requestId: '', caller: ANONYMOUS };
    const headers = new SubgraphHeaders();
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers.append(name, value);
    headers.set('content-type', 'application/json');
    request.http = { method: 'POST', url: this.url, headers };
    for (const p of this.plugins)
      await p.willSendSubgraphRequest?.({ name: this.name, request, context: full });
    if (!request.query) throw new Error('Missing query');
    // Only reads are retried and shared: a subgraph query of a client operation that is not a mutation.
    const clientWrite =
      'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation !== 'query';
    const call: SubgraphCall = { retryable: !clientWrite && !WRITE.test(request.query) };
    if (full.signal) call.signal = full.signal;
    let answer: SubgraphAnswer;
    let response: SubgraphResponse;
    try {
      answer = await this.share(request, headers.record, call);
      response = answerOf(answer, this.url);
    } catch (error) {
      for (const p of this.plugins) {
        const handled = p.onSubgraphFailure?.({ name: this.name, error, request });
        if (handled) return handled;
      }
      throw error;
    }
    if ('incomingRequestContext' in options)
      restrictCachePolicy(options.incomingRequestContext.overallCachePolicy, answer.headers['cache-control']);
    return response;
  }

  /** Joins an identical read in flight (same subgraph, operation, variables and caller) or sends it. */
  private share(request: SubgraphRequest, headers: Record<string, string>, call: SubgraphCall) {
    const body = bodyOf(request);
    if (!this.shared || !call.retryable) return this.send(headers, body, call);
    const key = dedupeKey(this.name, request.query ?? '', request.variables, headers);
    return this.shared.run(
      key,
      (signal) => this.send(headers, body, { retryable: true, signal }),
      call.signal,
    );
  }

  /** Where every HTTP exchange with the subgraph starts and ends (retries included). */
  private send(headers: Record<string, string>, body: string, call: SubgraphCall): Promise<SubgraphAnswer> {
    return this.exchange(headers, body, call);
  }
}

/** The GraphQL-over-HTTP request body. */
function bodyOf(request: SubgraphRequest): string {
  return JSON.stringify({
    query: request.query,
    variables: request.variables,
    operationName: request.operationName,
    extensions: request.extensions,
  });
}

/**
 * The caller's own copy of a subgraph's answer (the query planner writes into it), parsed once; a
 * non-2xx status or a body that is not a JSON object is thrown as the failure of the call.
 */
function answerOf(answer: SubgraphAnswer, url: string): SubgraphResponse {
  const type = String(answer.headers['content-type'] ?? '');
  const json = type.startsWith('application/json') || type.startsWith('application/graphql-response+json');
  const body: unknown = json ? JSON.parse(answer.body) : answer.body;
  if (answer.status < 200 || answer.status > 299) {
    const statusText = STATUS_CODES[answer.status] ?? '';
    const code = answer.status === 401 ? 'UNAUTHENTICATED' : answer.status === 403 ? 'FORBIDDEN' : undefined;
    throw new GraphQLError(`${answer.status}: ${statusText}`, {
      extensions: { response: { url, status: answer.status, statusText, body }, ...(code ? { code } : {}) },
    });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error(`Expected JSON response body, but received: ${answer.body}`);
  return body as SubgraphResponse;
}
