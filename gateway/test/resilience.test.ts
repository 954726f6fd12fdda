import { gql } from '@attention-mesh/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, type Misbehaviour, startFakeSubgraph } from './support/fakeSubgraph.js';
import { startTestGateway } from './support/testGateway.js';

/**
 * A gateway over two stand-ins: `news` always answers, `flaky` misbehaves as each test says (hangs,
 * drops the connection, answers 5xx). Every request `flaky` receives is counted.
 */
let news: FakeSubgraph;
let flaky: FakeSubgraph;
let gateway: RunningGateway;
let misbehave: (query: string, index: number) => Misbehaviour;

async function setup(env: Record<string, string>, behaviour: typeof misbehave): Promise<void> {
  misbehave = behaviour;
  news = await startFakeSubgraph('type Query { headline: String }', { headline: 'news' });
  flaky = await startFakeSubgraph(
    'type Query { score: Int } type Mutation { bump: Int }',
    { score: 7, bump: 8 },
    { misbehave: (query, index) => misbehave(query, index) },
  );
  gateway = await startTestGateway({
    subgraphs: [
      { name: 'news', sdl: 'type Query { headline: String }', url: news.url },
      { name: 'flaky', sdl: 'type Query { score: Int } type Mutation { bump: Int }', url: flaky.url },
    ],
    env: { SUBGRAPH_RETRY_DELAY_MS: '10', ...env },
  });
}

afterEach(async () => {
  await gateway?.stop();
  await Promise.all([news?.stop(), flaky?.stop()]);
});

const DOWN = { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'flaky' };

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await run();
  return { result, ms: Date.now() - started };
}

describe('failure isolation at the gateway', () => {
  it('answers a subgraph that hangs past SUBGRAPH_TIMEOUT_MS with null and a downstream error', async () => {
    await setup({ SUBGRAPH_TIMEOUT_MS: '300' }, () => 'hang');
    const { result: res, ms } = await timed(() => gql(gateway.url, '{ headline score }'));
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ headline: 'news', score: null });
    expect(res.errors?.map((e) => [e.path, e.extensions])).toEqual([[['score'], DOWN]]);
    expect(ms).toBeLessThan(3_000);
    // A timeout is not retried.
    expect(flaky.requests).toHaveLength(1);
  });

  it('stops a request at REQUEST_TIMEOUT_MS with what resolved, the pending fields null', async () => {
    await setup({ REQUEST_TIMEOUT_MS: '400', SUBGRAPH_TIMEOUT_MS: '20000' }, () => 'hang');
    const { result: res, ms } = await timed(() => gql(gateway.url, '{ headline score }'));
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ headline: 'news', score: null });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual([
      'DOWNSTREAM_SERVICE_ERROR',
      'REQUEST_TIMEOUT',
    ]);
    expect(res.errors?.[0]?.path).toEqual(['score']);
    expect(res.errors?.[1]?.extensions).toEqual({ code: 'REQUEST_TIMEOUT', timeoutMs: 400 });
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(3_000);
  });

  it('retries a query after a 503 and after a dropped connection', async () => {
    await setup({}, (_q, i) => (i === 0 ? 503 : i === 2 ? 'drop' : undefined));
    const first = await gql(gateway.url, '{ headline score }');
    expect(first.data).toEqual({ headline: 'news', score: 7 });
    expect(first.errors).toBeUndefined();
    expect(flaky.requests).toHaveLength(2);
    const second = await gql(gateway.url, '{ score }');
    expect(second.data).toEqual({ score: 7 });
    expect(flaky.requests).toHaveLength(4);
  });

  it('gives a query up after two retries', async () => {
    await setup({}, () => 503);
    const res = await gql(gateway.url, '{ headline score }');
    expect(res.data).toEqual({ headline: 'news', score: null });
    expect(res.errors?.map((e) => [e.path, e.extensions])).toEqual([[['score'], DOWN]]);
    expect(flaky.requests).toHaveLength(3);
  });

  it('never retries a mutation', async () => {
    await setup({}, (query) => (query.includes('bump') ? 503 : undefined));
    const res = await gql(gateway.url, 'mutation { bump }');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ bump: null });
    expect(res.errors?.map((e) => [e.path, e.extensions])).toEqual([[['bump'], DOWN]]);
    expect(flaky.requests).toHaveLength(1);
    const dropped = await setupAgainWith(() => 'drop');
    expect(dropped.data).toEqual({ bump: null });
    expect(flaky.requests).toHaveLength(2);
  });

  it('opens the breaker after consecutive failures, fails fast, and closes it after a good probe', async () => {
    let down = true;
    await setup(
      { SUBGRAPH_RETRIES: '0', CIRCUIT_BREAKER_THRESHOLD: '3', CIRCUIT_BREAKER_COOLDOWN_MS: '500' },
      () => (down ? 500 : undefined),
    );
    for (let i = 0; i < 3; i++) await gql(gateway.url, '{ headline score }');
    expect(flaky.requests).toHaveLength(3);
    // Open: nothing is sent, the answer is immediate and shaped like any other failure.
    for (let i = 0; i < 3; i++) {
      const { result: res, ms } = await timed(() => gql(gateway.url, '{ headline score }'));
      expect(res.data).toEqual({ headline: 'news', score: null });
      expect(res.errors?.map((e) => [e.path, e.extensions])).toEqual([[['score'], DOWN]]);
      expect(ms).toBeLessThan(200);
    }
    expect(flaky.requests).toHaveLength(3);
    down = false;
    await new Promise((r) => setTimeout(r, 600));
    const probe = await gql(gateway.url, '{ headline score }');
    expect(probe.data).toEqual({ headline: 'news', score: 7 });
    expect(flaky.requests).toHaveLength(4);
    const after = await gql(gateway.url, '{ score }');
    expect(after.data).toEqual({ score: 7 });
    expect(flaky.requests).toHaveLength(5);
  });

  it('reopens the breaker when the probe fails', async () => {
    await setup(
      { SUBGRAPH_RETRIES: '0', CIRCUIT_BREAKER_THRESHOLD: '2', CIRCUIT_BREAKER_COOLDOWN_MS: '300' },
      () => 500,
    );
    for (let i = 0; i < 3; i++) await gql(gateway.url, '{ score }');
    expect(flaky.requests).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 400));
    await gql(gateway.url, '{ score }');
    await gql(gateway.url, '{ score }');
    expect(flaky.requests).toHaveLength(3);
  });
});

/** The same mutation once more, now that `flaky` misbehaves another way. */
async function setupAgainWith(behaviour: typeof misbehave) {
  misbehave = behaviour;
  return gql(gateway.url, 'mutation { bump }');
}
