import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SASREC_MODEL_NAME, SasRecModel, saveVersion } from '@attention-mesh/ml';
import {
  type CatalogEvent,
  type FeedbackReceivedData,
  meshEvent,
  type RunningSubgraph,
  subscribeEvents,
} from '@attention-mesh/platform';
import { callerHeaders, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { retrainModel } from '../src/retrain/retrainModel.js';
import { importSequences } from '../src/sequences/importSequences.js';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

/** The closed loop inside the recommendation subgraph, on the real database and bus. */

const ITEMS = 30;
const USERS = 30;
const THRESHOLD = 20;
const dir = mkdtempSync(join(tmpdir(), 'rec-loop-'));
const modelsDir = join(dir, 'models');
const itemIds = ['', ...Array.from({ length: ITEMS }, (_, i) => `L${i + 1}`)];
const sequences = Array.from({ length: USERS }, (_, k) =>
  Array.from({ length: 4 + (k % 4) }, (_, t) => `L${((k + 2 * t) % ITEMS) + 1}`),
);

let sg: RunningSubgraph<RecommendationRuntime>;
const seen: CatalogEvent<'recommendations.updated' | 'model.updated'>[] = [];
let watcher: { stop(): Promise<void> };

beforeAll(async () => {
  const model = SasRecModel.create(itemIds, { maxLen: 8, hidden: 16, blocks: 1, heads: 1, dropout: 0 }, 3);
  await saveVersion(modelsDir, SASREC_MODEL_NAME, async (d) => {
    await model.save(d);
    return { loss: 1 };
  });
  model.dispose();
  sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'), {
    env: {
      MODELS_DIR: modelsDir,
      MODEL_POLL_MS: '100',
      REC_RETRAIN_AFTER_INTERACTIONS: String(THRESHOLD),
      REC_UPDATE_COALESCE_MS: '200',
    },
  });
  const file = join(dir, 'seq.txt');
  writeFileSync(file, sequences.flatMap((s, u) => s.map((i) => `lu${u} ${i}\n`)).join(''));
  await importSequences(sg.runtime, file, { category: 'games' });
  await sg.runtime.reloadState();
  await waitFor(async () => (await modelInfo()).status === 'SERVING');
  watcher = subscribeEvents(
    sg.events,
    `test.loop.${Date.now()}`,
    ['recommendations.updated', 'model.updated'],
    async (e) => {
      seen.push(e);
    },
    // The test's own bus: from its first event, so what the boot published is seen too.
    { startAt: 'earliest', pollIntervalMs: 50 },
  );
});
afterAll(async () => {
  await watcher?.stop();
  await sg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function modelInfo() {
  const res = await gql<{
    modelInfo: {
      status: string;
      version: string | null;
      stale: boolean;
      interactionsSinceTraining: number;
      retrainAfterInteractions: number;
    };
  }>(
    sg.url,
    '{ modelInfo { status version stale interactionsSinceTraining retrainAfterInteractions } }',
    {},
    callerHeaders(TEST_CALLERS.analyst),
  );
  expect(res.errors).toBeUndefined();
  return res.data!.modelInfo;
}

async function recIds(
  userId: string,
): Promise<{ ids: string[]; modelVersion: string | null; source: string }> {
  const res = await gql<{
    _entities: {
      recommendations: { modelVersion: string | null; source: string; edges: { node: { id: string } }[] };
    }[];
  }>(
    sg.url,
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
      recommendations(first: 20) { modelVersion source edges { node { id } } } } } }`,
    { r: [{ __typename: 'User', id: userId }] },
    callerHeaders(TEST_CALLERS.person(userId)),
  );
  expect(res.errors).toBeUndefined();
  const r = res.data!._entities[0]!.recommendations;
  return { ids: r.edges.map((e) => e.node.id), modelVersion: r.modelVersion, source: r.source };
}

let fb = 0;
function feedback(userId: string, kind: FeedbackReceivedData['kind'], targetId: string, extra = {}) {
  const feedbackId = `loop-fb-${++fb}`;
  return meshEvent(
    'feedback.received',
    { __typename: 'Item', id: targetId },
    {
      feedbackId,
      kind,
      targetType: 'ITEM',
      targetId,
      rating: null,
      dwellMs: null,
      reason: null,
      occurredAt: Date.now(),
      ...extra,
    },
    { userId },
  );
}
const updatesOf = (userId: string) =>
  seen.filter(
    (e) => e.type === 'recommendations.updated' && e.userId === userId,
  ) as CatalogEvent<'recommendations.updated'>[];

describe('recommendation: the closed loop', () => {
  it('drops a hidden, disliked or complained-about item from the very next read and announces it', async () => {
    const user = 'lu3';
    const before = await recIds(user);
    const [a, b, c] = before.ids;
    await sg.events.publish([
      feedback(user, 'HIDE', a!),
      feedback(user, 'DISLIKE', b!),
      feedback(user, 'COMPLAINT', c!),
    ]);
    await waitFor(async () => (await sg.runtime.users.get(user))!.hidden.length === 3);
    const after = await recIds(user);
    for (const id of [a, b, c]) expect(after.ids).not.toContain(id);
    await waitFor(() => updatesOf(user).length > 0);
    const last = updatesOf(user).at(-1)!;
    expect(last.key).toEqual({ __typename: 'User', id: user });
    expect(last.data).toMatchObject({ reason: 'HIDDEN', modelVersion: before.modelVersion });
  });

  it('appends positive feedback only, coalesces a burst into few events and never loses the last', async () => {
    const user = 'lu4';
    const start = (await sg.runtime.users.get(user))!.items.length;
    const events = [
      feedback(user, 'RATING', 'L20', { rating: 2 }),
      feedback(user, 'DWELL', 'L21', { dwellMs: 500 }),
      feedback(user, 'RATING', 'L22', { rating: 5 }),
      feedback(user, 'DWELL', 'L23', { dwellMs: 60_000 }),
      feedback(user, 'LIKE', 'L24'),
    ];
    for (let i = 0; i < 60; i++) events.push(feedback(user, 'CLICK', i % 2 ? 'L25' : 'L26'));
    await sg.events.publish(events);
    await waitFor(async () => (await sg.runtime.users.get(user))!.items.length >= Math.min(200, start + 63));
    const items = (await sg.runtime.users.get(user))!.items;
    expect(items).not.toContain('L20');
    expect(items).not.toContain('L21');
    expect(items.slice(start, start + 3)).toEqual(['L22', 'L23', 'L24']);
    // The last change is announced: an event published after the sequence reached its final state.
    const finalAt = Date.now();
    await waitFor(() => updatesOf(user).some((e) => e.data.at >= finalAt - 250));
    await new Promise((r) => setTimeout(r, 500));
    const count = updatesOf(user).length;
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(20);
    expect(updatesOf(user).every((e) => e.data.reason === 'SEQUENCE')).toBe(true);
  });

  it('marks the model stale after N interactions; the retrain swaps a new version in and resets the count', async () => {
    const info = await modelInfo();
    expect(info.retrainAfterInteractions).toBe(THRESHOLD);
    // The previous test appended 63 interactions under the served version.
    await waitFor(async () => (await modelInfo()).stale);
    const stale = await modelInfo();
    expect(stale.interactionsSinceTraining).toBeGreaterThanOrEqual(THRESHOLD);

    const oldVersion = stale.version;
    // The version loaded at start-up was not announced (a boot changes nobody's recommendations).
    expect(seen.some((e) => e.type === 'model.updated')).toBe(false);
    const lines: string[] = [];
    const result = await retrainModel(sg.runtime, {
      modelsDir,
      retrainAfterInteractions: THRESHOLD,
      epochs: 2,
      evalEvery: 1,
      say: (l) => lines.push(l),
    });
    expect(result.status).toBe('trained');
    if (result.status !== 'trained') return;
    expect(result.servedVersion).toBe(oldVersion);
    expect(result.users).toBe(USERS);
    expect(lines.some((l) => l.startsWith('epoch 1'))).toBe(true);

    await waitFor(async () => (await modelInfo()).version === result.version);
    const fresh = await modelInfo();
    expect(fresh).toMatchObject({ stale: false, interactionsSinceTraining: 0 });
    expect((await recIds('lu4')).modelVersion).toBe(result.version);
    await waitFor(() => seen.some((e) => e.type === 'model.updated' && e.data.version === result.version));
    // Users active recently (lu3, lu4 above) are told, with the new version.
    await waitFor(() =>
      updatesOf('lu4').some((e) => e.data.reason === 'MODEL' && e.data.modelVersion === result.version),
    );

    // Not stale now: the scheduled run does nothing.
    const again = await retrainModel(sg.runtime, { modelsDir, retrainAfterInteractions: THRESHOLD });
    expect(again).toMatchObject({ status: 'fresh', servedVersion: result.version });
  });

  it('announces a change of personalisation consent (CONSENT), not an announcement that changes nothing', async () => {
    const user = 'lu7';
    const consent = (personalization: boolean, updatedAt: number) =>
      meshEvent(
        'user.consent.changed',
        { __typename: 'User', id: user },
        { personalization, adsPersonalization: true, analytics: true, updatedAt },
        { userId: user },
      );
    const t = Date.now();
    // Unknown to the store, the user is personalised: granting it changes nothing; withdrawing does.
    await sg.events.publish([consent(true, t)]);
    await sg.events.publish([consent(false, t + 1)]);
    await waitFor(() => updatesOf(user).some((e) => e.data.reason === 'CONSENT'));
    expect((await recIds(user)).source).toBe('NON_PERSONALISED');
    expect(updatesOf(user).filter((e) => e.data.reason === 'CONSENT')).toHaveLength(1);
  });
});
