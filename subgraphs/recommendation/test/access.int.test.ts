import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importSequences } from '../src/sequences/importSequences.js';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

/** Who may use what in the recommendation subgraph (rules.md, "recommendation"), called as the gateway would. */

let sg: RunningSubgraph<RecommendationRuntime>;
const dir = mkdtempSync(join(tmpdir(), 'rec-access-'));
const RECS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
  recommendations(first: 5) { source edges { node { id } } }
} } }`;
type Recs = {
  _entities: ({ recommendations: { source: string; edges: { node: { id: string } }[] } } | null)[];
};
const recsOf = (userIds: string[], headers: Record<string, string>) =>
  gql<Recs>(sg.url, RECS, { r: userIds.map((id) => ({ __typename: 'User', id })) }, headers);
const person = (id: string) => callerHeaders(TEST_CALLERS.person(id));
const analyst = () => callerHeaders(TEST_CALLERS.analyst);
const MODEL_INFO = '{ modelInfo { status } }';
const EXPOSURE = '{ recommendationExposure { totalExposures catalogueSize } }';

beforeAll(async () => {
  sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'));
  const file = join(dir, 'seq.txt');
  writeFileSync(file, 'alice x\nalice y\nbob y\ncarol z\ncarol y\n');
  await importSequences(sg.runtime, file, { category: 'games' });
  await sg.runtime.reloadState();
});
afterAll(async () => {
  await sg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the open catalogue', () => {
  it('serves item, items and similar to anonymous callers', async () => {
    const res = await gql<{
      item: { id: string; title: string; similar: { item: { id: string } }[] };
      items: { edges: { node: { id: string } }[] };
    }>(
      sg.url,
      '{ item(id: "y") { id title similar(first: 5) { item { id } } } items(first: 10) { edges { node { id } } } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.item.id).toBe('y');
    expect(res.data?.item.similar.map((s) => s.item.id).sort()).toEqual(['x', 'z']);
    expect(res.data?.items.edges.map((e) => e.node.id).sort()).toEqual(['x', 'y', 'z']);
  });
});

describe('User.recommendations', () => {
  it('is UNAUTHENTICATED for anonymous callers', async () => {
    const res = await recsOf(['alice'], {});
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(res.data?._entities[0] ?? null).toBeNull();
  });

  it('is read by the person themselves, also signed in through a publisher key', async () => {
    const res = await recsOf(['alice'], person('alice'));
    expect(res.errors).toBeUndefined();
    // alice has seen x and y: z is left.
    expect(res.data?._entities[0]?.recommendations).toEqual({
      source: 'POPULARITY',
      edges: [{ node: { id: 'z' } }],
    });
    const viaKey = await recsOf(
      ['alice'],
      callerHeaders(TEST_CALLERS.publisher('pub-1', ['ads:request'], 'alice')),
    );
    expect(viaKey.data?._entities[0]?.recommendations.edges).toEqual([{ node: { id: 'z' } }]);
  });

  it("is FORBIDDEN for another's, through _entities, without saying whether the user exists", async () => {
    const other = await recsOf(['alice'], person('bob'));
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(other.data?._entities[0] ?? null).toBeNull();
    // FORBIDDEN, not NOT_FOUND, for a user never heard of.
    expect(errorCodes(await recsOf(['nobody'], person('bob')))).toEqual(['FORBIDDEN']);
    // In a batch: the caller's own is served, the other's refused at its path.
    const mixed = await recsOf(['bob', 'carol'], person('bob'));
    expect(errorCodes(mixed)).toEqual(['FORBIDDEN']);
    expect(mixed.errors?.[0]?.path).toEqual(['_entities', 1, 'recommendations']);
    expect(mixed.data?._entities[0]?.recommendations.edges.map((e) => e.node.id).sort()).toEqual(['x', 'z']);
    // Analysts see aggregates, not a person's recommendations.
    expect(errorCodes(await recsOf(['alice'], analyst()))).toEqual(['FORBIDDEN']);
  });

  it('is read by an admin for anyone', async () => {
    const res = await recsOf(['alice', 'carol'], adminHeaders());
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((e) => e?.recommendations.edges.map((x) => x.node.id))).toEqual([
      ['z'],
      ['x'],
    ]);
  });
});

describe('modelInfo and recommendationExposure', () => {
  it('are for analysts and admins', async () => {
    for (const headers of [analyst(), adminHeaders()]) {
      const info = await gql<{ modelInfo: { status: string } }>(sg.url, MODEL_INFO, {}, headers);
      expect(info.data?.modelInfo.status).toBe('NO_MODEL');
      const exposure = await gql<{ recommendationExposure: { catalogueSize: number } }>(
        sg.url,
        EXPOSURE,
        {},
        headers,
      );
      expect(exposure.errors).toBeUndefined();
      expect(exposure.data?.recommendationExposure.catalogueSize).toBe(3);
    }
  });

  it('are UNAUTHENTICATED anonymous and FORBIDDEN to a person', async () => {
    expect(errorCodes(await gql(sg.url, MODEL_INFO))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(sg.url, EXPOSURE))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(sg.url, MODEL_INFO, {}, person('alice')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await gql(sg.url, EXPOSURE, {}, person('alice')))).toEqual(['FORBIDDEN']);
  });
});
