import type { RunningSubgraph } from '@attention-mesh/platform';
import { callerHeaders, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

/** The subgraphs are hardened by the shared bootstrap as the gateway is: one of them stands for all. */
describe('a subgraph in production', () => {
  const SECRET = 'a-production-secret-of-at-least-32-characters';
  let prod: RunningSubgraph<unknown>;
  let dev: RunningSubgraph<unknown>;
  beforeAll(async () => {
    [prod, dev] = await Promise.all([
      startTestSubgraph(usersSubgraph, inject('mongoUri'), {
        env: {
          NODE_ENV: 'production',
          MESH_INTERNAL_SECRET: SECRET,
          MESH_ERASURE_SECRET: SECRET,
          LOG_LEVEL: 'warn',
        },
      }),
      startTestSubgraph(usersSubgraph, inject('mongoUri')),
    ]);
  });
  afterAll(async () => {
    await Promise.all([prod?.stop(), dev?.stop()]);
  });

  const MISSPELT = '{ _servic { sdl } }';

  it('gives no field suggestions (development does), and sends the security headers', async () => {
    const res = await gql(prod.url, MISSPELT, {}, callerHeaders(TEST_CALLERS.admin, SECRET));
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toBe('Cannot query field "_servic" on type "Query".');
    const inDev = await gql(dev.url, MISSPELT, {}, callerHeaders(TEST_CALLERS.admin));
    expect(inDev.errors?.[0]?.message).toMatch(/Did you mean "_service"\?/);
    const health = await fetch(new URL('/healthz', prod.url));
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('x-frame-options')).toBe('DENY');
  });
});
