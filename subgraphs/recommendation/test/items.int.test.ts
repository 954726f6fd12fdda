import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  commandCounter,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

let sg: RunningSubgraph<RecommendationRuntime>;
const CREATE = `mutation($input: CreateItemInput!) { createItem(input: $input) { id title kind category tags url provider } }`;
const LIST = `query($category: String, $first: Int!, $after: String) {
  items(category: $category, first: $first, after: $after) { edges { node { id category } } pageInfo { hasNextPage endCursor } }
}`;

beforeAll(async () => {
  sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('recommendation subgraph: the catalogue', () => {
  it('creates items idempotently', async () => {
    const input = {
      id: 'itm-1',
      title: 'Match report',
      kind: 'ARTICLE',
      category: 'sports',
      tags: ['football'],
      url: 'https://example.com/a',
      provider: 'Match Media',
    };
    const res = await gql(sg.url, CREATE, { input }, adminHeaders());
    expect(res.data?.createItem).toEqual({ ...input, url: 'https://example.com/a' });
    await gql(sg.url, CREATE, { input: { ...input, title: 'Other' } }, adminHeaders());
    expect(await sg.runtime.Item.countDocuments({})).toBe(1);
  });

  it('lets only admins create items: UNAUTHENTICATED anonymous, FORBIDDEN otherwise, writing nothing', async () => {
    const input = { id: 'itm-not-admin', title: 'T', kind: 'VIDEO', category: 'tech' };
    expect(errorCodes(await gql(sg.url, CREATE, { input }))).toEqual(['UNAUTHENTICATED']);
    for (const caller of [
      TEST_CALLERS.person('u1'),
      TEST_CALLERS.analyst,
      TEST_CALLERS.publisher('pub-1', ['ads:request', 'events:write', 'analytics:read']),
    ])
      expect(errorCodes(await gql(sg.url, CREATE, { input }, callerHeaders(caller)))).toEqual(['FORBIDDEN']);
    expect(await sg.runtime.Item.countDocuments({})).toBe(1);
  });

  it.each([
    [{ title: '   ' }, 'input.title'],
    [{ category: 'Sports!' }, 'input.category'],
    [{ url: 'ftp://example.com/x' }, 'input.url'],
    [{ url: 'not a url' }, 'input.url'],
    [{ tags: ['ok', 'NOT OK'] }, 'input.tags'],
    [{ provider: '  ' }, 'input.provider'],
    [{ provider: 'p'.repeat(65) }, 'input.provider'],
  ])('rejects %j and writes nothing', async (bad, field) => {
    const res = await gql(
      sg.url,
      CREATE,
      { input: { title: 'T', kind: 'VIDEO', category: 'tech', ...bad } },
      adminHeaders(),
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(await sg.runtime.Item.countDocuments({})).toBe(1);
  });

  it('lists a category as a Relay connection, to anyone (no caller needed)', async () => {
    for (let i = 0; i < 5; i++)
      await gql(
        sg.url,
        CREATE,
        { input: { title: `Tech ${i}`, kind: 'VIDEO', category: 'tech' } },
        adminHeaders(),
      );
    const p1 = await gql<{
      items: {
        edges: { node: { id: string; category: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(sg.url, LIST, { category: 'tech', first: 3 });
    expect(p1.data!.items.edges).toHaveLength(3);
    expect(p1.data!.items.edges.every((e) => e.node.category === 'tech')).toBe(true);
    expect(p1.data!.items.pageInfo.hasNextPage).toBe(true);
    const p2 = await gql<typeof p1.data & object>(sg.url, LIST, {
      category: 'tech',
      first: 3,
      after: p1.data!.items.pageInfo.endCursor,
    });
    expect(p2.data!.items.edges).toHaveLength(2);
    expect(p2.data!.items.pageInfo.hasNextPage).toBe(false);
    expect(errorCodes(await gql(sg.url, LIST, { first: 3, after: 'bm9wZQ' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await gql(sg.url, LIST, { first: 500 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('resolves Item references from the in-memory catalogue, missing ones in one query per batch (anonymous)', async () => {
    // Items written behind the service's back (another replica) are not cached yet.
    await sg.runtime.Item.create([
      { _id: 'ext-1', title: 'E1', kind: 'VIDEO', category: 'tech', publishedAt: 1, createdAt: 1 },
      { _id: 'ext-2', title: 'E2', kind: 'VIDEO', category: 'tech', publishedAt: 1, createdAt: 1 },
    ]);
    const ids = (await sg.runtime.Item.find({}).lean()).map((i) => i._id);
    const counter = commandCounter(sg.connection);
    const res = await gql<{ _entities: { id: string }[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Item { id title } } }`,
      {
        r: ids.map((id) => ({ __typename: 'Item', id })),
      },
    );
    expect(res.data?._entities.map((i) => i.id)).toEqual(ids);
    expect(counter.count('find', 'items')).toBe(1);
    await sg.runtime.reloadState();
    counter.reset();
    const again = await gql<{ _entities: { id: string }[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Item { id title } } }`,
      { r: ids.map((id) => ({ __typename: 'Item', id })) },
    );
    expect(again.data?._entities.map((i) => i.id)).toEqual(ids);
    expect(counter.count('find', 'items')).toBe(0);
    counter.stop();
  });
});

describe('the in-memory catalogue', () => {
  it('is re-read only when another writer moved its version', async () => {
    await sg.runtime.warmUp();
    expect(await sg.runtime.refresh()).toBe(false);
    // Another replica (or an import) stores an item: not in this process's memory yet.
    await sg.runtime.Item.create({
      _id: 'itm-elsewhere',
      title: 'Made elsewhere',
      kind: 'ARTICLE',
      category: 'tech',
      tags: [],
      url: null,
      publishedAt: Date.now(),
      createdAt: Date.now(),
    });
    expect(await sg.runtime.refresh()).toBe(false);
    expect(sg.runtime.catalogue.has('itm-elsewhere')).toBe(false);
    const { bumpCatalogueVersion } = await import('../src/models/RecState.js');
    await bumpCatalogueVersion(sg.runtime.RecState);
    expect(await sg.runtime.refresh()).toBe(true);
    expect(sg.runtime.catalogue.has('itm-elsewhere')).toBe(true);
    expect(await sg.runtime.refresh()).toBe(false);
  });
});

describe('the catalogue version', () => {
  it('survives many first bumps at once (racing upserts)', async () => {
    const { bumpCatalogueVersion } = await import('../src/models/RecState.js');
    await sg.runtime.RecState.deleteMany({});
    await Promise.all(Array.from({ length: 8 }, () => bumpCatalogueVersion(sg.runtime.RecState)));
    expect((await sg.runtime.RecState.findById('catalogue').lean())?.version).toBeGreaterThan(0);
  });
});
