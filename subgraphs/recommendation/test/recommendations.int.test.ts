import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SASREC_MODEL_NAME, SasRecModel, saveVersion } from '@attention-mesh/ml';
import { type AttentionRecordedData, meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { UserSequenceDoc } from '../src/models/UserSequence.js';
import { exportSequences, importSequences } from '../src/sequences/importSequences.js';
import { normalizeUser } from '../src/sequences/normalizeUser.js';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

const ITEMS = 40;
const USERS = 40;
const dir = mkdtempSync(join(tmpdir(), 'rec-serving-'));
const modelsDir = join(dir, 'models');
const itemIds = ['', ...Array.from({ length: ITEMS }, (_, i) => `g${i + 1}`)];
/** Deterministic sequences: user k walks items k, k+3, k+6, ... (5 to 9 of them). */
const sequences = Array.from({ length: USERS }, (_, k) =>
  Array.from({ length: 5 + (k % 5) }, (_, t) => `g${((k + 3 * t) % ITEMS) + 1}`),
);
const config = { maxLen: 8, hidden: 16, blocks: 1, heads: 1, dropout: 0 };

/** An `attention.recorded` payload with these targets (this subgraph reads only the targets). */
const attentionData = (targets: AttentionRecordedData['targets']): AttentionRecordedData => ({
  events: targets.length,
  impressions: 0,
  clicks: 0,
  engagedMs: targets.reduce((n, t) => n + t.engagedMs, 0),
  targets,
  placements: [],
  lastEventAt: Date.now(),
});

async function saveModel(seed: number, loss: number) {
  const model = SasRecModel.create(itemIds, config, seed);
  const version = await saveVersion(modelsDir, SASREC_MODEL_NAME, async (d) => {
    await model.save(d);
    return { test: { hr10: 0.1 * seed }, loss };
  });
  model.dispose();
  return version;
}

let sg: RunningSubgraph<RecommendationRuntime>;
beforeAll(async () => {
  await saveModel(1, 0.5);
  sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'), {
    env: {
      MODELS_DIR: modelsDir,
      MODEL_POLL_MS: '100',
      REC_EXPOSURE_WINDOW: '100',
      REC_EXPOSURE_CAP: '0.05',
    },
  });
  const file = join(dir, 'seq.txt');
  writeFileSync(file, sequences.flatMap((s, u) => s.map((i) => `u${u} ${i}\n`)).join(''));
  const result = await importSequences(sg.runtime, file, { titlePrefix: 'Games item', category: 'games' });
  expect(result).toMatchObject({ users: USERS, items: ITEMS, itemsCreated: ITEMS, skipped: 0 });
  await sg.runtime.reloadState();
  await waitFor(async () => (await modelInfo()).status === 'SERVING');
});
afterAll(async () => {
  await sg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const RECS = `query($r: [_Any!]!, $first: Int!, $after: String, $context: RecommendationContext) {
  _entities(representations: $r) { ... on User { recommendations(first: $first, after: $after, context: $context) {
    source modelVersion
    edges { cursor position score node { id title category } explanation { item { id } weight } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } } }
}`;
interface Page {
  source: string;
  modelVersion: string | null;
  edges: {
    cursor: string;
    position: number;
    score: number;
    node: { id: string; title: string; category: string };
    explanation: { item: { id: string }; weight: number }[];
  }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string };
}
/** A person's recommendations, asked by that person (as the gateway signs it). */
const asUser = (userId: string) => callerHeaders(TEST_CALLERS.person(userId));
const analyst = () => callerHeaders(TEST_CALLERS.analyst);
async function recs(userId: string, vars: Record<string, unknown> = {}) {
  return gql<{ _entities: { recommendations: Page }[] }>(
    sg.url,
    RECS,
    { r: [{ __typename: 'User', id: userId }], first: 10, ...vars },
    asUser(userId),
  );
}
async function page(userId: string, vars: Record<string, unknown> = {}): Promise<Page> {
  const res = await recs(userId, vars);
  expect(res.errors).toBeUndefined();
  return res.data!._entities[0]!.recommendations;
}
async function modelInfo() {
  const res = await gql<{
    modelInfo: {
      status: string;
      version: string | null;
      trainedAt: string | null;
      backend: string | null;
      device: string | null;
      items: number | null;
      metrics: { name: string; value: number }[];
    };
  }>(
    sg.url,
    '{ modelInfo { status version trainedAt backend device items metrics { name value } } }',
    {},
    analyst(),
  );
  return res.data!.modelInfo;
}
const stored = async (userId: string) => {
  const doc = (await sg.runtime.UserSequence.findById(userId).lean()) as UserSequenceDoc | null;
  return doc ? normalizeUser(doc) : null;
};

describe('recommendation subgraph: serving', () => {
  it('ranks the catalogue with the model, leaving out what the user has seen, with explanations', async () => {
    const info = await modelInfo();
    expect(info).toMatchObject({ status: 'SERVING', items: ITEMS, device: 'cpu' });
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend);
    expect(info.metrics).toEqual(expect.arrayContaining([{ name: 'test.hr10', value: 0.1 }]));
    for (const u of [0, 7, 13]) {
      const p = await page(`u${u}`);
      expect(p.source).toBe('MODEL');
      expect(p.modelVersion).toBe(info.version);
      expect(p.edges).toHaveLength(10);
      expect(p.edges.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const seen = new Set(sequences[u]);
      for (const e of p.edges) {
        expect(seen.has(e.node.id)).toBe(false);
        expect(e.node).toMatchObject({ title: `Games item ${e.node.id}`, category: 'games' });
      }
      const explanation = p.edges[0]!.explanation;
      expect(explanation.length).toBeGreaterThan(0);
      expect(explanation.length).toBeLessThanOrEqual(3);
      for (const x of explanation) expect(seen.has(x.item.id)).toBe(true);
      const weights = explanation.map((x) => x.weight);
      expect(weights).toEqual([...weights].sort((a, b) => b - a));
      expect(weights.every((w) => w > 0 && w <= 1)).toBe(true);
    }
  });

  it('pages through one stable ranking', async () => {
    const p1 = await page('u2');
    const p2 = await page('u2', { after: p1.pageInfo.endCursor });
    expect(p2.edges.map((e) => e.position)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const ids = [...p1.edges, ...p2.edges].map((e) => e.node.id);
    expect(new Set(ids).size).toBe(20);
    expect(p2.pageInfo.hasPreviousPage).toBe(true);
    const again = await page('u2');
    expect(again.edges.map((e) => e.node.id)).toEqual(p1.edges.map((e) => e.node.id));
    // 40 items, 5-9 seen: the ranking ends within the catalogue.
    const last = await page('u2', { first: 100 });
    expect(last.edges.length).toBe(ITEMS - new Set(sequences[2]).size);
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  it('rejects bad input with specific errors', async () => {
    const unknown = await recs('nobody');
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
    for (const [vars, field] of [
      [{ first: 101 }, 'first'],
      [{ first: 0 }, 'first'],
      [{ after: 'not a cursor' }, 'after'],
      [{ after: Buffer.from('c1:xyz').toString('base64url') }, 'after'],
      [{ context: { category: 'Games!' } }, 'context.category'],
    ] as const) {
      const res = await recs('u1', vars);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.field).toBe(field);
    }
    const similar = await gql(sg.url, '{ item(id: "g1") { similar(first: 101) { item { id } } } }');
    expect(errorCodes(similar)).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps sequences current from feedback and attention events, idempotently', async () => {
    const before = await page('u5');
    const top = before.edges[0]!.node.id;
    const hide = (feedbackId: string) =>
      meshEvent(
        'feedback.received',
        { __typename: 'Feedback', id: feedbackId },
        {
          feedbackId,
          kind: 'HIDE',
          targetType: 'ITEM',
          targetId: top,
          rating: null,
          dwellMs: null,
          reason: null,
          occurredAt: Date.now(),
        },
        { userId: 'u5' },
      );
    // The same feedback announced twice (at-least-once delivery): applied once.
    await sg.events.publish([hide('fb-hide-1'), hide('fb-hide-1')]);
    await waitFor(async () => (await stored('u5'))!.hidden.includes(top));
    const afterHide = await page('u5');
    expect(afterHide.edges.map((e) => e.node.id)).not.toContain(top);

    const next = afterHide.edges[0]!.node.id;
    const versionBefore = (await stored('u5'))!.version;
    await sg.events.publish([
      meshEvent(
        'attention.recorded',
        { __typename: 'User', id: 'u5' },
        attentionData([{ type: 'ITEM', id: next, engagedMs: 40_000 }]),
        { userId: 'u5' },
      ),
    ]);
    await waitFor(async () => (await stored('u5'))!.items.at(-1) === next);
    const doc = (await stored('u5'))!;
    expect(doc.version).toBe(versionBefore + 1);
    expect(doc.hidden.filter((h) => h === top)).toHaveLength(1);
    const afterSeen = await page('u5');
    expect(afterSeen.edges.map((e) => e.node.id)).not.toContain(next);
    expect(afterSeen.edges.map((e) => e.node.id)).not.toContain(top);
  });

  it('follows personalisation consent from the next request after the event, newest announcement winning', async () => {
    const user = 'u9';
    const consent = (personalization: boolean, updatedAt: number) =>
      meshEvent(
        'user.consent.changed',
        { __typename: 'User', id: user },
        { personalization, adsPersonalization: false, analytics: true, updatedAt },
        { userId: user },
      );
    const allows = () => sg.runtime.consents.allows(user, 'personalization');
    // A sequence never announced (imported) is personalised.
    expect((await page(user)).source).toBe('MODEL');
    const t = Date.now();
    await sg.events.publish([consent(false, t)]);
    await waitFor(async () => !(await allows()));
    const withdrawn = await page(user);
    expect(withdrawn.source).toBe('NON_PERSONALISED');
    expect(withdrawn.modelVersion).toBeNull();
    expect(withdrawn.edges.length).toBeGreaterThan(0);
    expect(withdrawn.edges.every((e) => e.explanation.length === 0)).toBe(true);
    // Ranked by popularity alone, not by the model over the user's history.
    for (const e of withdrawn.edges) expect(e.score).toBe(sg.runtime.popularity.score(e.node.id));
    // An older announcement delivered late changes nothing.
    await sg.events.publish([consent(true, t - 1_000), consent(true, t + 1_000)]);
    await waitFor(allows);
    expect((await page(user)).source).toBe('MODEL');
    expect((await sg.runtime.RecConsent.findById(user).lean())?.updatedAt).toBe(t + 1_000);
  });

  it('serves cold-start users attention-weighted popularity, per category', async () => {
    const create = `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`;
    for (const id of ['t1', 't2', 't3']) {
      await gql(
        sg.url,
        create,
        { input: { id, title: `Tech ${id}`, kind: 'ARTICLE', category: 'tech' } },
        adminHeaders(),
      );
    }
    await sg.events.publish([
      meshEvent(
        'user.created',
        { __typename: 'User', id: 'newbie' },
        { country: null, locale: 'en', timezone: 'UTC', segments: [], createdAt: Date.now() },
        { userId: 'newbie' },
      ),
      meshEvent(
        'attention.recorded',
        { __typename: 'User', id: 'reader' },
        attentionData([
          { type: 'ITEM', id: 't2', engagedMs: 300_000 },
          { type: 'ITEM', id: 't3', engagedMs: 60_000 },
        ]),
        { userId: 'reader' },
      ),
    ]);
    await waitFor(async () => (await stored('newbie')) !== null && (await stored('reader')) !== null);
    // Popularity is re-ranked at most once a second.
    await waitFor(async () => {
      const p = await page('newbie', { context: { category: 'tech' } });
      return p.edges.map((e) => e.node.id).join() === 't2,t3';
    });
    const tech = await page('newbie', { context: { category: 'tech' } });
    expect(tech.source).toBe('POPULARITY');
    expect(tech.edges[0]!.explanation).toEqual([]);
    expect(tech.edges[0]!.score).toBeGreaterThan(tech.edges[1]!.score);
    const all = await page('newbie');
    expect(all.source).toBe('POPULARITY');
    expect(all.edges).toHaveLength(10);
    // The imported interaction counts rank the Games items; t2's 5 minutes of attention weigh 10.
    expect(all.edges.every((e, i) => i === 0 || e.score <= all.edges[i - 1]!.score)).toBe(true);
  });

  it('finds similar items by embedding, and by popularity for items the model does not know', async () => {
    const res = await gql<{ item: { similar: { item: { id: string }; similarity: number | null }[] } }>(
      sg.url,
      '{ item(id: "g1") { similar(first: 5) { item { id } similarity } } }',
    );
    const similar = res.data!.item.similar;
    expect(similar).toHaveLength(5);
    expect(similar.map((s) => s.item.id)).not.toContain('g1');
    const sims = similar.map((s) => s.similarity!);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    expect(sims.every((s) => s >= -1 && s <= 1)).toBe(true);
    const tech = await gql<{ item: { similar: { item: { id: string }; similarity: number | null }[] } }>(
      sg.url,
      '{ item(id: "t3") { similar(first: 5) { item { id } similarity } } }',
    );
    expect(tech.data!.item.similar).toEqual([{ item: { id: 't2' }, similarity: null }]);
  });

  it('bounds each item share of exposure and reports the Gini', async () => {
    const users = Array.from({ length: USERS }, (_, u) => `u${u}`);
    // Concurrent first pages: one micro-batch, so the cap must hold within a batch too.
    await Promise.all(users.map((u) => page(u, { first: 5 })));
    const res = await gql<{
      recommendationExposure: {
        gini: number;
        itemsExposed: number;
        totalExposures: number;
        maxShare: number;
        cap: number;
        window: number;
      };
    }>(
      sg.url,
      '{ recommendationExposure { gini itemsExposed totalExposures maxShare cap window catalogueSize } }',
      {},
      analyst(),
    );
    const e = res.data!.recommendationExposure;
    expect(e).toMatchObject({ totalExposures: 100, window: 100, cap: 0.05 });
    expect(e.maxShare).toBeLessThanOrEqual(0.05);
    expect(e.itemsExposed).toBeGreaterThanOrEqual(20);
    expect(e.gini).toBeGreaterThan(0);
    expect(e.gini).toBeLessThan(1);
  });

  it('disposes every tensor of a forward pass', async () => {
    await page('u30', { first: 3 });
    const before = tf.memory().numTensors;
    // Fresh users each round (cached rankings would skip the model).
    for (let round = 0; round < 3; round++) {
      await sg.events.publish(
        Array.from({ length: 10 }, (_, i) =>
          meshEvent(
            'attention.recorded',
            { __typename: 'User', id: `m${round}-${i}` },
            attentionData([{ type: 'ITEM', id: `g${i + 1}`, engagedMs: 1_000 }]),
            { userId: `m${round}-${i}` },
          ),
        ),
      );
      await waitFor(async () => (await stored(`m${round}-9`)) !== null);
      const pages = await Promise.all(
        Array.from({ length: 10 }, (_, i) => page(`m${round}-${i}`, { first: 3 })),
      );
      expect(pages.every((p) => p.source === 'MODEL')).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('swaps in a new model version without a restart', async () => {
    const first = await modelInfo();
    const v2 = await saveModel(2, 0.4);
    await waitFor(async () => (await modelInfo()).version === v2.version);
    const info = await modelInfo();
    expect(info.version).not.toBe(first.version);
    expect(info.metrics).toEqual(expect.arrayContaining([{ name: 'loss', value: 0.4 }]));
    const p = await page('u3');
    expect(p.modelVersion).toBe(v2.version);
    expect(p.source).toBe('MODEL');
  });
});

describe('recommendation subgraph: no model', () => {
  it('falls back to popularity and says so in modelInfo', async () => {
    const bare = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'));
    try {
      const file = join(dir, 'small.txt');
      writeFileSync(file, 'a x\na y\nb y\nc z\nc y\n');
      await importSequences(bare.runtime, file, { category: 'games' });
      await bare.runtime.reloadState();
      const info = await gql<{ modelInfo: { status: string; version: string | null } }>(
        bare.url,
        '{ modelInfo { status version } }',
        {},
        analyst(),
      );
      expect(info.data!.modelInfo).toEqual({ status: 'NO_MODEL', version: null });
      const res = await gql<{ _entities: { recommendations: Page }[] }>(
        bare.url,
        RECS,
        { r: [{ __typename: 'User', id: 'b' }], first: 5 },
        asUser('b'),
      );
      expect(res.errors).toBeUndefined();
      const p = res.data!._entities[0]!.recommendations;
      expect(p.source).toBe('POPULARITY');
      expect(p.modelVersion).toBeNull();
      // y (3 interactions) is seen by b; then x and z (1 each), in id order.
      expect(p.edges.map((e) => e.node.id)).toEqual(['x', 'z']);
      // The export writes the stored sequences back in the format they were imported from.
      let text = '';
      const exported = await exportSequences(bare.runtime, (chunk) => {
        text += chunk;
      });
      expect(exported).toEqual({ users: 3, lines: 5, skipped: 0 });
      expect(text.trim().split('\n').sort()).toEqual(['a x', 'a y', 'b y', 'c y', 'c z']);
      // Importing the same file again changes no counts.
      await importSequences(bare.runtime, file, { category: 'games' });
      expect(await bare.runtime.ItemPopularity.findById('y').lean()).toMatchObject({ imported: 3 });
    } finally {
      await bare.stop();
    }
  });
});
