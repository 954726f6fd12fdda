import type { RunningSubgraph } from '@attention-mesh/platform';
import { gql, startTestSubgraph } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { bearer, TEST_JWT_SECRET } from './support/jwt.js';

/** The users subgraph and two gateways over it: one serving /metrics on its port, one on METRICS_PORT. */
let users: RunningSubgraph<unknown>;
let gateway: RunningGateway;
let separate: RunningGateway;

function gatewayEnv(extra: Record<string, string> = {}) {
  return loadGatewayConfig({
    NODE_ENV: 'test',
    PORT: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    SUBSCRIPTIONS_ENABLED: 'false',
    SUBGRAPH_USERS_URL: users.url,
    ...extra,
  });
}

beforeAll(async () => {
  users = (await startTestSubgraph(
    usersSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  gateway = await startGateway(gatewayEnv());
  separate = await startGateway(gatewayEnv({ METRICS_PORT: '0' }));
}, 120_000);

afterAll(async () => {
  await separate?.stop();
  await gateway?.stop();
  await users?.stop();
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one sample (`name{labels} value`) whose labels include every given pair; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');
const QUERY = 'query ProfileOfGrace { user(id: "usr-metrics") { id displayName } }';

describe('/metrics', () => {
  it('counts the gateway and the subgraph requests, fetch latency, plan cache and errors', async () => {
    const created = await gql(
      gateway.url,
      'mutation { createUser(input: { id: "usr-metrics", displayName: "Grace", country: "DE" }) { id } }',
    );
    expect(created.errors).toBeUndefined();
    const grace = await bearer({ sub: 'usr-metrics' });
    const gwBefore = await scrape(metricsUrl(gateway.url));
    const usersBefore = await scrape(metricsUrl(users.url));
    const labels = { service: 'gateway', operation_type: 'query', operation: 'ProfileOfGrace' };

    expect((await gql(gateway.url, QUERY, {}, grace)).errors).toBeUndefined();
    expect((await gql(gateway.url, QUERY, {}, grace)).errors).toBeUndefined();
    const bad = await gql(gateway.url, 'query Broken { user(id: "usr-metrics") { noSuchField } }', {}, grace);
    expect(bad.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const gw = await scrape(metricsUrl(gateway.url));
    const sub = await scrape(metricsUrl(users.url));
    const count = 'mesh_graphql_requests_total';
    expect(sample(gw, count, labels) - sample(gwBefore, count, labels)).toBe(2);
    expect(sample(gw, 'mesh_graphql_request_duration_seconds_count', labels)).toBe(2);
    const validation = { service: 'gateway', code: 'GRAPHQL_VALIDATION_FAILED' };
    expect(
      sample(gw, 'mesh_graphql_errors_total', validation) -
        sample(gwBefore, 'mesh_graphql_errors_total', validation),
    ).toBe(1);
    // The subgraph saw the gateway's query operations (the plan names them after the client's).
    const subLabels = { service: 'users', operation_type: 'query' };
    expect(sample(sub, count, subLabels)).toBeGreaterThan(sample(usersBefore, count, subLabels));
    const fetches = { subgraph: 'users', outcome: '2xx' };
    const fetchCount = 'mesh_gateway_subgraph_fetch_duration_seconds_count';
    expect(sample(gw, fetchCount, fetches) - sample(gwBefore, fetchCount, fetches)).toBeGreaterThanOrEqual(2);
    // The second identical operation was planned from the cache.
    const plans = 'mesh_gateway_query_plan_cache_total';
    expect(
      sample(gw, plans, { result: 'hit' }) - sample(gwBefore, plans, { result: 'hit' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(gw, plans, { result: 'miss' })).toBeGreaterThanOrEqual(1);
    // Process metrics, and the users subgraph's loaders and bus.
    expect(sample(gw, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sub).toContain('mesh_dataloader_batch_size_bucket');
    expect(sub).toContain('mesh_event_consumer_lag');
  });

  it('is served on METRICS_PORT only when that is set', async () => {
    expect(separate.metricsPort).toBeGreaterThan(0);
    const onServicePort = await fetch(metricsUrl(separate.url));
    expect(onServicePort.status).toBe(404);
    await onServicePort.body?.cancel();
    const text = await scrape(`http://127.0.0.1:${separate.metricsPort}/metrics`);
    expect(text).toContain('mesh_graphql_requests_total');
    const other = await fetch(`http://127.0.0.1:${separate.metricsPort}/graphql`);
    expect(other.status).toBe(404);
    await other.body?.cancel();
  });
});
