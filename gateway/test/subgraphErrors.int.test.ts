import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { adminBearer, TEST_JWT_SECRET } from './support/jwt.js';

/**
 * Only users runs: ads and attention point at a closed port, feedback at a server that answers 502
 * with an HTML page naming its internals, recommendation at one that answers 503 with a GraphQL body.
 */
let users: RunningSubgraph<unknown>;
let gateway: RunningGateway;
const broken: Server[] = [];

function serve(status: number, type: string, body: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  });
  broken.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`),
    ),
  );
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/graphql`;
}

const INTERNALS = 'feedback-7f9c.internal.svc.cluster.local:4005';

beforeAll(async () => {
  users = (await startTestSubgraph(
    usersSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  const closed = await closedPort();
  gateway = await startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      // Each failure is logged on purpose; the test reads the answers, not the log.
      LOG_LEVEL: 'error',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      SUBGRAPH_USERS_URL: users.url,
      SUBGRAPH_ADS_URL: closed,
      SUBGRAPH_ATTENTION_URL: closed,
      SUBGRAPH_FEEDBACK_URL: await serve(
        502,
        'text/html',
        `<html><body>Bad gateway: upstream ${INTERNALS} refused</body></html>`,
      ),
      SUBGRAPH_RECOMMENDATION_URL: await serve(
        503,
        'application/json',
        JSON.stringify({
          errors: [{ message: 'Recommendations are paused', extensions: { code: 'RATE_LIMITED' } }],
        }),
      ),
    }),
  );
  const created = await gql(
    gateway.url,
    'mutation { createUser(input: { id: "usr-gw-err", displayName: "Grace", country: "DE" }) { id } }',
  );
  expect(created.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await users?.stop();
  await Promise.all(broken.map((s) => new Promise((resolve) => s.close(resolve))));
});

interface ErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

describe('upstream failures through the gateway', () => {
  it('marks the fields of a subgraph that is down and resolves the rest', async () => {
    const res = await gql<{ user: { displayName: string } | null; campaign: unknown; promo: unknown }>(
      gateway.url,
      '{ user(id: "usr-gw-err") { displayName } campaign(id: "cmp-x") { name } promo: ad(id: "ad-x") { id } }',
      {},
      await adminBearer(),
    );
    expect(res.data?.user).toEqual({ displayName: 'Grace' });
    expect(res.data?.campaign).toBeNull();
    expect(res.data?.promo).toBeNull();
    const errors = (res.errors ?? []) as ErrorShape[];
    expect(errors.map((e) => e.path)).toEqual([['campaign'], ['promo']]);
    for (const e of errors) {
      expect(e.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'ads' });
      expect(e.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fetch/i);
    }
  });

  it('marks an entity field of a subgraph that is down at its path', async () => {
    const res = await gql(
      gateway.url,
      '{ user(id: "usr-gw-err") { displayName attention { events } } }',
      {},
      await adminBearer(),
    );
    const errors = (res.errors ?? []) as ErrorShape[];
    // `attention` is non-null, so the missing field nulls the user, as GraphQL requires.
    expect(res.data).toEqual({ user: null });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toEqual(['user', 'attention']);
    expect(errors[0]?.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'attention' });
  });

  it('answers a 5xx that is not GraphQL as a downstream error, without the subgraph internals', async () => {
    const res = await gql(gateway.url, '{ feedback(id: "fb-x") { id } }', {}, await adminBearer());
    expect(res.data).toEqual({ feedback: null });
    expect(res.errors).toHaveLength(1);
    const [error] = res.errors as ErrorShape[];
    expect(error?.path).toEqual(['feedback']);
    expect(error?.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'feedback' });
    const text = JSON.stringify(res);
    expect(text).not.toContain(INTERNALS);
    expect(text).not.toMatch(/127\.0\.0\.1|stacktrace|<html>|502/);
  });

  it('keeps the code of GraphQL errors a subgraph sends with a failing status', async () => {
    const res = await gql(gateway.url, '{ item(id: "itm-x") { id } }');
    expect(errorCodes(res)).toEqual(['RATE_LIMITED']);
    const [error] = res.errors as ErrorShape[];
    expect(error?.message).toBe('Recommendations are paused');
    expect(error?.extensions?.serviceName).toBe('recommendation');
    expect(JSON.stringify(res)).not.toMatch(/127\.0\.0\.1|stacktrace|response/);
  });

  it("keeps a subgraph's own BAD_USER_INPUT and adds its name", async () => {
    const res = await gql(
      gateway.url,
      'mutation { createUser(input: { displayName: "X", country: "Narnia" }) { id } }',
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    const [error] = res.errors as ErrorShape[];
    expect(error?.extensions).toMatchObject({ field: 'input.country', serviceName: 'users' });
    expect(error?.extensions).not.toHaveProperty('stacktrace');
    expect(JSON.stringify(res)).not.toMatch(/127\.0\.0\.1|at \w+ \(/);
  });
});
