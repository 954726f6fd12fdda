import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { createLogger } from '@attention-mesh/platform';
import { composeSupergraph } from '@attention-mesh/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmQueryPlans } from '../src/warmQueryPlans.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';

const SDL = 'type Query { headline: String score(factor: Int!): Int }';
const logger = createLogger({ service: 'test', level: 'silent', pretty: false });
let subgraph: FakeSubgraph;
let gateway: ApolloGateway;
let apollo: ApolloServer;
let plans = 0;

beforeAll(async () => {
  subgraph = await startFakeSubgraph(SDL, {
    headline: 'news',
    score: ({ factor }: { factor: number }) => factor,
  });
  const dir = mkdtempSync(join(tmpdir(), 'warm-'));
  writeFileSync(join(dir, 'news.graphql'), SDL);
  gateway = new ApolloGateway({
    supergraphSdl: composeSupergraph([
      { name: 'news', schema: join(dir, 'news.graphql'), url: subgraph.url },
    ]),
    logger,
  });
  apollo = new ApolloServer({ gateway, logger });
  await apollo.start();
  // Counts the plans ApolloGateway's executor builds itself (the warm-up calls the planner too).
  const planner = (gateway as unknown as { queryPlanner: { buildQueryPlan: (...a: unknown[]) => unknown } })
    .queryPlanner;
  const build = planner.buildQueryPlan.bind(planner);
  planner.buildQueryPlan = (...args) => {
    plans++;
    return build(...args);
  };
});
afterAll(async () => {
  await apollo.stop();
  await subgraph.stop();
});

const run = (query: string, operationName?: string) =>
  apollo.executeOperation({ query, ...(operationName ? { operationName } : {}), variables: { f: 2 } });

describe('query-plan warm-up', () => {
  it('plans known documents so that their first requests skip the planner, with or without a name', async () => {
    const single = 'query Headline { headline }';
    const two = 'query A { headline } query B($f: Int!) { score(factor: $f) }';
    const planned = await warmQueryPlans(gateway, [single, two, 'not graphql {', '{ nope }'], logger);
    // Headline, A and B; the unparsable and the invalid documents are skipped.
    expect(planned).toBe(3);
    const before = plans;
    for (const [query, name] of [
      [single, undefined],
      [single, 'Headline'],
      [two, 'A'],
      [two, 'B'],
    ] as const) {
      const res = await run(query, name);
      expect(res.body.kind === 'single' && res.body.singleResult.errors).toBeFalsy();
    }
    expect(plans - before).toBe(0);
    // A document it was not given is planned on its first request, as before.
    await run('{ headline score(factor: 3) }');
    expect(plans - before).toBe(1);
  });
});
