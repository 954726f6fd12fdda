import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpService } from '../src/http.js';
import { createLogger } from '../src/logger.js';

const logger = createLogger({ service: 'test', level: 'silent', pretty: false });
const apollo = new ApolloServer({
  typeDefs: 'type Query { echo(text: String!): String }',
  resolvers: { Query: { echo: (_: unknown, { text }: { text: string }) => text } },
  logger,
});
const server = createHttpService({
  apollo,
  logger,
  maxBodyBytes: 200,
  ready: () => true,
  context: async () => ({}),
});
let base = '';

beforeAll(async () => {
  await apollo.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await apollo.stop();
});

type Refusal = { errors: { message: string; extensions: { code: string } }[] };
const refusal = async (res: Response) => ((await res.json()) as Refusal).errors[0];

const post = (body: string, path = '/graphql') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the HTTP front end', () => {
  it('answers POST and GET operations, with the security headers and a request id', async () => {
    const res = await post(JSON.stringify({ query: '{ echo(text: "hi") }' }));
    expect(await res.json()).toEqual({ data: { echo: 'hi' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const get = await fetch(`${base}/graphql?query=${encodeURIComponent('{ echo(text: "q") }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await get.json()).toEqual({ data: { echo: 'q' } });
  });

  it('refuses a body over the limit with 413, a body that is not JSON with 400, other paths with 404', async () => {
    const big = await post(JSON.stringify({ query: `{ echo(text: "${'x'.repeat(300)}") }` }));
    expect(big.status).toBe(413);
    expect((await refusal(big))?.extensions.code).toBe('BAD_REQUEST');
    const bad = await post('{ not json');
    expect(bad.status).toBe(400);
    expect((await refusal(bad))?.message).toBe('Request body is not valid JSON');
    expect((await post('{}', '/elsewhere?x=1')).status).toBe(404);
    expect((await fetch(`${base}/healthz?probe=1`)).status).toBe(200);
  });

  it('reads a body sent in chunks, and refuses one that grows past the limit', async () => {
    const chunked = (parts: string[]) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        duplex: 'half',
        body: new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
            controller.close();
          },
        }),
      } as RequestInit);
    const res = await chunked(['{"query": "{ echo', '(text: \\"split\\") }"}']);
    expect(await res.json()).toEqual({ data: { echo: 'split' } });
    const big = await chunked(['{"query": "{ echo', `(text: \\"${'x'.repeat(300)}\\") }"}`]);
    expect(big.status).toBe(413);
  });
});
