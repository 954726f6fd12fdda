import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ANONYMOUS, formatError, type Logger } from '@attention-mesh/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import { useRateLimit } from '../src/plugins/useRateLimit.js';
import { createMemoryStore } from '../src/rateLimit/memoryStore.js';

const silent = { warn() {}, info() {}, error() {}, debug() {} } as unknown as Logger;

/** Demand control's part of the contract: the estimate in didResolveOperation, the measure after. */
const costs = { estimated: new Map<string, number>(), actual: new Map<string, number>() };
const demandStub: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation(rc) {
        const estimatedCost = costs.estimated.get(rc.operationName ?? '');
        if (estimatedCost !== undefined) rc.contextValue.demand = { estimatedCost };
      },
      async willSendResponse(rc) {
        const actual = costs.actual.get(rc.operationName ?? '');
        if (rc.contextValue.demand && actual !== undefined) rc.contextValue.demand.actualCost = actual;
      },
    };
  },
};

const rateLimit = useRateLimit(
  {
    enabled: true,
    windowMs: 60_000,
    adminExempt: true,
    maxBuckets: 100,
    trustProxy: false,
    budgets: {
      anonymous: { requests: 100, cost: 100 },
      person: { requests: 100, cost: 100 },
      partner: { requests: 100, cost: 100 },
      analyst: { requests: 100, cost: 100 },
    },
  },
  silent,
  // A clock that stands still: no refill between the operations.
  createMemoryStore({ maxBuckets: 100, now: () => 0 }),
);

// Demand control's plugin after the rate limiter's, as in server.ts.
const server = new ApolloServer<GatewayContext>({
  typeDefs: 'type Query { a: Int b: Int c: Int plain: Int }',
  resolvers: { Query: { a: () => 1, b: () => 2, c: () => 3, plain: () => 4 } },
  plugins: [...(rateLimit.apolloPlugins ?? []), demandStub],
  formatError: (f) => formatError(f),
});

beforeAll(() => server.start());
afterAll(() => server.stop());

const req = { socket: { remoteAddress: '10.0.0.1' }, headers: {} } as unknown as IncomingMessage;
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function run(query: string) {
  const base: GatewayContext = { requestId: 'r', caller: ANONYMOUS };
  const contextValue = { ...base, ...(await rateLimit.context?.(req, base)) };
  const res = await server.executeOperation({ query }, { contextValue });
  await settle();
  await settle();
  const cost = /"cost";r=(\d+)/.exec(res.http.headers.get('ratelimit') ?? '')?.[1];
  return { res, cost: cost === undefined ? undefined : Number(cost) };
}

describe('useRateLimit and demand control', () => {
  it("charges demand control's estimate, corrects it by the actual cost, refuses past the budget", async () => {
    costs.estimated.set('A', 30).set('B', 30).set('C', 90);
    costs.actual.set('A', 10).set('B', 30);
    expect((await run('query A { a }')).cost).toBe(70);
    // A cost 20 less than estimated: given back before the next operation.
    expect((await run('query B { b }')).cost).toBe(60);
    // Without an estimate (no demand control): 1.
    expect((await run('query P { plain }')).cost).toBe(59);
    const refused = await run('query C { c }');
    expect(refused.res.http.status).toBe(429);
    expect(refused.cost).toBe(59);
    expect(refused.res.http.headers.get('retry-after')).toBe('19');
    expect(refused.res.body).toEqual({
      kind: 'single',
      singleResult: {
        errors: [
          {
            message: expect.stringMatching(/^Rate limit exceeded/),
            extensions: { code: 'RATE_LIMITED', retryAfter: 19 },
          },
        ],
      },
    });
  });
});
