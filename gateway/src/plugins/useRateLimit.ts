import type { GraphQLRequestContext } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { ErrorCode, type Logger, meshError } from '@attention-mesh/platform';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { BucketStore } from '../rateLimit/bucketStore.js';
import { clientAddress } from '../rateLimit/clientAddress.js';
import { createMemoryStore } from '../rateLimit/memoryStore.js';
import {
  createRateLimiter,
  type RateLimitState,
  type RateLimits,
  type Subject,
  subjectOf,
} from '../rateLimit/rateLimiter.js';
import { type BudgetView, rateLimitHeaders } from '../rateLimit/rateLimitHeaders.js';
import { createRedisStore } from '../rateLimit/redisStore.js';
import type { Decision } from '../rateLimit/tokenBucket.js';
import type { GatewayPlugin } from './gatewayPlugin.js';

export interface RateLimitOptions extends RateLimits {
  enabled: boolean;
  /** Buckets kept by one gateway's memory store. */
  maxBuckets: number;
  /** Buckets in Redis, shared by the replicas, when set. */
  redisUrl?: string;
  /** Take the client address from `x-forwarded-for` (the gateway runs behind a proxy of ours). */
  trustProxy: boolean;
}

const MESSAGE = 'Rate limit exceeded';

function headersOf(views: BudgetView[], retryAfter?: number): HeaderMap {
  const headers = new HeaderMap(rateLimitHeaders(views));
  if (retryAfter !== undefined) headers.set('retry-after', String(retryAfter));
  return headers;
}

/**
 * Rate limits per API key, per user, and per client address for anonymous calls: token buckets for
 * requests (charged in the context hook, before parsing) and for operation cost (charged with demand
 * control's `context.demand.estimatedCost` once the operation is resolved — 1 without demand control
 * — and corrected by its `actualCost` after execution). In memory, or in Redis (REDIS_URL) so replicas
 * share the buckets; when the store fails the limiter fails open (see createRateLimiter). A refusal is
 * `RATE_LIMITED` with `extensions.retryAfter`, HTTP 429 and `Retry-After`; every limited response
 * carries the `RateLimit-Policy` and `RateLimit` headers.
 */
export function useRateLimit(opts: RateLimitOptions, logger: Logger, store?: BucketStore): GatewayPlugin {
  if (!opts.enabled) return { name: 'rate-limit' };
  const buckets =
    store ??
    (opts.redisUrl
      ? createRedisStore({ url: opts.redisUrl, logger })
      : createMemoryStore({ maxBuckets: opts.maxBuckets }));
  const limiter = createRateLimiter({ limits: opts, store: buckets, logger });
  const view = (subject: Subject, name: 'requests' | 'cost', decision: Decision | undefined) =>
    decision ? [{ name, policy: limiter.policy(subject, name), decision }] : [];

  const refusal = (decision: Decision) => ({
    message: `${MESSAGE}: retry after ${decision.retryAfterSeconds} s`,
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: decision.retryAfterSeconds },
  });

  async function chargeCost(
    rc: GraphQLRequestContext<GatewayContext>,
    state: RateLimitState,
  ): Promise<{ decision?: Decision; charged: number }> {
    const charged = rc.contextValue.demand?.estimatedCost ?? 1;
    return { decision: await limiter.charge(state.subject, 'cost', charged), charged };
  }

  return {
    name: 'rate-limit',
    async context(req, context) {
      // The address only for anonymous callers (the others are limited by key or user).
      const subject = subjectOf(context.caller, () => clientAddress(req, opts.trustProxy), opts);
      if (!subject) return undefined;
      const requests = await limiter.charge(subject, 'requests', 1);
      if (requests && !requests.allowed) {
        const { message, extensions } = refusal(requests);
        throw meshError(ErrorCode.RATE_LIMITED, message, {
          retryAfter: extensions.retryAfter,
          http: {
            status: 429,
            headers: headersOf(view(subject, 'requests', requests), requests.retryAfterSeconds),
          },
        });
      }
      return { rateLimit: { subject, ...(requests ? { requests } : {}) } };
    },
    apolloPlugins: [
      {
        async serverWillStart() {
          await buckets.start?.();
          return { serverWillStop: async () => buckets.close?.() };
        },
        async requestDidStart({ contextValue }) {
          const state = contextValue.rateLimit;
          if (!state) return;
          let cost: { decision?: Decision; charged: number } | undefined;
          return {
            // After every plugin's didResolveOperation (demand control's estimate) and before execution.
            async responseForOperation(rc) {
              cost = await chargeCost(rc, state);
              if (!cost.decision || cost.decision.allowed) return null;
              const errors: GraphQLFormattedError[] = [refusal(cost.decision)];
              return {
                http: { status: 429, headers: headersOf([], cost.decision.retryAfterSeconds) },
                body: { kind: 'single', singleResult: { errors } },
              };
            },
            async willSendResponse(rc) {
              const views = [
                ...view(state.subject, 'requests', state.requests),
                ...view(state.subject, 'cost', cost?.decision),
              ];
              for (const [name, value] of rateLimitHeaders(views)) rc.response.http.headers.set(name, value);
              const charged = cost?.decision?.allowed ? cost.charged : undefined;
              if (charged === undefined || !rc.contextValue.demand) return;
              // After the other plugins' willSendResponse (demand control measures the actual cost), off the
              // response's path: the correction shows in the next response's headers.
              setImmediate(() => {
                const actual = rc.contextValue.demand?.actualCost;
                if (actual !== undefined && actual !== charged)
                  void limiter.charge(state.subject, 'cost', actual - charged, 'force');
              });
            },
          };
        },
      },
    ],
  };
}
