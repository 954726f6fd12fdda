import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentCache } from '../src/persisted/documentCache.js';
import { loadTrustedDocuments } from '../src/persisted/trustedDocuments.js';
import type { RunningGateway } from '../src/server.js';
import { type FakeSubgraph, startFakeSubgraph } from './support/fakeSubgraph.js';
import { bearer } from './support/jwt.js';
import { PUBLIC, SHOP, SHOP_PLAIN, shopRoot } from './support/shop.js';
import { startTestGateway } from './support/testGateway.js';

/** A stand-in users server resolving the partner's API key (as in apiKeys.test.ts). */
const USERS_PLAIN = `
type Query { apiKeyIdentity(key: String!): ApiKeyIdentity }
type ApiKeyIdentity { id: ID! partnerId: ID! scopes: [String!]! }
`;
const KEY = 'amk_0123456789_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const PARTNER = { 'x-api-key': KEY };

const GREETING = 'query Greeting { greeting }';
const ME = 'query Me { me { id } }';
const NOT_LISTED = '{ greeting alsoGreeting: greeting }';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const UNKNOWN_HASH = sha256('never sent');

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A POST with whatever body the test needs (APQ requests carry `extensions`, maybe no `query`). */
async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) } as Answer;
}
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
const codes = (a: Answer) => (a.errors ?? []).map((e) => e.extensions?.code);

let users: FakeSubgraph;
let shop: FakeSubgraph;
let open: RunningGateway;
let trusted: RunningGateway;
let apolloList: RunningGateway;
const dir = mkdtempSync(join(tmpdir(), 'trusted-docs-'));

beforeAll(async () => {
  users = await startFakeSubgraph(USERS_PLAIN, {
    apiKeyIdentity: ({ key }: { key: string }) =>
      key === KEY ? { id: 'key-1', partnerId: 'acme', scopes: ['ads:request'] } : null,
  });
  shop = await startFakeSubgraph(SHOP_PLAIN, shopRoot());
  const subgraphs = [{ name: 'shop', sdl: SHOP, url: shop.url }];
  const plain = join(dir, 'plain.json');
  writeFileSync(plain, JSON.stringify({ [sha256(GREETING)]: GREETING, [sha256(ME)]: ME }));
  const list = join(dir, 'apollo.json');
  writeFileSync(
    list,
    JSON.stringify({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: 'greeting-v1', body: GREETING, name: 'Greeting', type: 'query' }],
    }),
  );
  const env = { SUBGRAPH_USERS_URL: users.url };
  [open, trusted, apolloList] = await Promise.all([
    startTestGateway({ subgraphs, publicSdl: PUBLIC, env }),
    startTestGateway({ subgraphs, publicSdl: PUBLIC, env: { ...env, TRUSTED_DOCUMENTS_PATH: plain } }),
    startTestGateway({ subgraphs, publicSdl: PUBLIC, env: { ...env, TRUSTED_DOCUMENTS_PATH: list } }),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.stop(), trusted?.stop(), apolloList?.stop()]);
  await users?.stop();
  await shop?.stop();
});

describe('automatic persisted queries', () => {
  it('run a query by its hash once it has been sent with its text', async () => {
    const query = '{ greeting first: greeting }';
    const hash = sha256(query);
    const before = await post(open.url, { extensions: persisted(hash) });
    expect(codes(before)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const registered = await post(open.url, { query, extensions: persisted(hash) });
    expect(registered.errors).toBeUndefined();
    expect(registered.data).toEqual({ greeting: 'hello', first: 'hello' });
    shop.requests.length = 0;
    const byHash = await post(open.url, { extensions: persisted(hash) });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual({ greeting: 'hello', first: 'hello' });
    expect(shop.requests).toHaveLength(1);
  });

  it("answer an unknown hash with Apollo's PERSISTED_QUERY_NOT_FOUND, for a person too", async () => {
    for (const headers of [{}, await bearer({ sub: 'usr-1' })]) {
      const res = await post(open.url, { extensions: persisted(UNKNOWN_HASH) }, headers);
      expect(res.status).toBe(200);
      expect(codes(res)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      expect(res.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    }
  });

  it('refuse a hash that is not the text’s, and do not register it', async () => {
    const res = await post(open.url, { query: '{ greeting }', extensions: persisted(UNKNOWN_HASH) });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('provided sha does not match query');
    expect(codes(res)).toEqual(['BAD_REQUEST']);
    expect(codes(await post(open.url, { extensions: persisted(UNKNOWN_HASH) }))).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
  });

  it('serve partners as everyone when no manifest is configured', async () => {
    const query = '{ greeting partner: greeting }';
    await post(open.url, { query, extensions: persisted(sha256(query)) }, PARTNER);
    const res = await post(open.url, { extensions: persisted(sha256(query)) }, PARTNER);
    expect(res.data).toEqual({ greeting: 'hello', partner: 'hello' });
    const plain = await post(open.url, { query: NOT_LISTED }, PARTNER);
    expect(plain.data).toEqual({ greeting: 'hello', alsoGreeting: 'hello' });
  });
});

describe('trusted documents', () => {
  it('let a partner run a manifest operation by its hash, or by sending its exact text', async () => {
    const byHash = await post(trusted.url, { extensions: persisted(sha256(GREETING)) }, PARTNER);
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual({ greeting: 'hello' });
    const byText = await post(trusted.url, { query: GREETING }, PARTNER);
    expect(byText.data).toEqual({ greeting: 'hello' });
    const apq = await post(trusted.url, { query: ME, extensions: persisted(sha256(ME)) }, PARTNER);
    // It ran: what stops it now is the access rule (a partner is nobody's `self`).
    expect(codes(apq)).toEqual(['FORBIDDEN']);
    expect(apq.data).toEqual({ me: null });
  });

  it('refuse a partner an unknown hash or any other document, before any subgraph is called', async () => {
    shop.requests.length = 0;
    const unknown = await post(trusted.url, { extensions: persisted(UNKNOWN_HASH) }, PARTNER);
    expect(unknown.status).toBe(400);
    expect(codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(unknown.errors?.[0]?.message).toContain(
      `Operation ${UNKNOWN_HASH} is not one of the trusted documents`,
    );
    expect(unknown.data).toBeUndefined();
    const other = await post(trusted.url, { query: NOT_LISTED }, PARTNER);
    expect(other.status).toBe(400);
    expect(codes(other)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(other.errors?.[0]?.message).toMatch(/not one of the trusted documents: API keys may run only/);
    // An APQ registration of a document outside the manifest is no way around it, now or later.
    const register = await post(
      trusted.url,
      { query: NOT_LISTED, extensions: persisted(sha256(NOT_LISTED)) },
      PARTNER,
    );
    expect(codes(register)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(shop.requests).toHaveLength(0);
    await post(trusted.url, { query: NOT_LISTED, extensions: persisted(sha256(NOT_LISTED)) });
    shop.requests.length = 0;
    const later = await post(trusted.url, { extensions: persisted(sha256(NOT_LISTED)) }, PARTNER);
    expect(later.status).toBe(400);
    expect(codes(later)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    // Not even a manifest document's text with another operation glued on.
    const glued = await post(trusted.url, { query: `${GREETING} query Other { greeting }` }, PARTNER);
    expect(codes(glued)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(shop.requests).toHaveLength(0);
  });

  it('do not restrict people: any document, APQ, and the manifest ids too', async () => {
    const person = await bearer({ sub: 'usr-1' });
    for (const headers of [{}, person]) {
      const res = await post(trusted.url, { query: NOT_LISTED }, headers);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ greeting: 'hello', alsoGreeting: 'hello' });
    }
    const query = '{ person: greeting }';
    await post(trusted.url, { query, extensions: persisted(sha256(query)) }, person);
    expect((await post(trusted.url, { extensions: persisted(sha256(query)) }, person)).data).toEqual({
      person: 'hello',
    });
    const me = await post(trusted.url, { extensions: persisted(sha256(ME)) }, person);
    expect(me.data).toEqual({ me: { id: 'usr-1' } });
  });

  it("read Apollo's persisted query list, by its operations' ids", async () => {
    const byId = await post(apolloList.url, { extensions: persisted('greeting-v1') }, PARTNER);
    expect(byId.errors).toBeUndefined();
    expect(byId.data).toEqual({ greeting: 'hello' });
    expect((await post(apolloList.url, { query: GREETING }, PARTNER)).data).toEqual({ greeting: 'hello' });
    expect(codes(await post(apolloList.url, { query: ME }, PARTNER))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('refuse to start on a missing, malformed or empty manifest, naming the setting', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ format: 'apollo-persisted-query-manifest', operations: [{ id: 'x' }] }),
    );
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '{}');
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'query { a }');
    for (const file of [join(dir, 'missing.json'), bad, empty, notJson])
      expect(() => loadTrustedDocuments(file)).toThrow(/^TRUSTED_DOCUMENTS_PATH: /);
    expect(() => loadTrustedDocuments(bad)).toThrow(/operations\.0\.body/);
  });
});

describe('the APQ store', () => {
  it('keeps the total size of its documents under its bound, dropping the least recently used', async () => {
    const cache = new DocumentCache(100);
    await cache.set('a', 'x'.repeat(39));
    await cache.set('b', 'y'.repeat(39));
    await cache.get('a');
    await cache.set('c', 'z'.repeat(39));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('x'.repeat(39));
    expect(cache.usage).toEqual({ entries: 2, bytes: 80 });
    await cache.set('huge', 'h'.repeat(200));
    expect(await cache.get('huge')).toBeUndefined();
    expect(cache.usage.bytes).toBeLessThanOrEqual(100);
  });
});
