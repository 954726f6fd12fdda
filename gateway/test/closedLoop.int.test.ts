import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CatalogEvent, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import type { RecommendationRuntime } from '@attention-mesh/recommendation-subgraph';
import { retrainModel } from '@attention-mesh/recommendation-subgraph/retrain';
import { gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer } from './support/jwt.js';
import { subscribeWs, wsClient } from './support/subscribers.js';

/**
 * The closed loop end to end, through the gateway over the five real subgraphs and the demo world:
 * a person's HIDE leaves their next recommendations; the scheduled retrain's function trains a model
 * into the mesh's registry, which is served without a restart and announced on the bus
 * (`model.updated`, `recommendations.updated`) and to the person's `recommendationsUpdated`
 * subscription (graphql-ws), whose payload carries the fresh list. Consumers are asynchronous: every
 * wait is bounded.
 */

const PERSON = 'usr-demo-01';
const dir = mkdtempSync(join(tmpdir(), 'closed-loop-'));
const modelsDir = join(dir, 'models');
let mesh: DemoMesh;
let rec: RecommendationRuntime;
let watch: Subscription;
const seen: CatalogEvent<'recommendations.updated' | 'model.updated'>[] = [];

beforeAll(async () => {
  mesh = await startDemoMesh(
    inject('mongoUri'),
    {},
    { MODELS_DIR: modelsDir, MODEL_POLL_MS: '200', REC_UPDATE_COALESCE_MS: '100' },
  );
  const sg = mesh.subgraphs.find((s) => s.name === 'recommendation')!;
  rec = sg.runtime as RecommendationRuntime;
  watch = subscribeEvents(
    sg.events,
    `test.closed-loop.${Date.now()}`,
    ['recommendations.updated', 'model.updated'],
    async (e) => {
      seen.push(e);
    },
    { startAt: 'latest', pollIntervalMs: 50 },
  );
}, 240_000);
afterAll(async () => {
  await watch?.stop();
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(get: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > until)
      throw new Error(`condition not met in ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Recs {
  source: string;
  modelVersion: string | null;
  ids: string[];
}
async function recommendations(): Promise<Recs> {
  const res = await gql<{
    user: {
      recommendations: { source: string; modelVersion: string | null; edges: { node: { id: string } }[] };
    };
  }>(
    mesh.gateway.url,
    `query($id: ID!) { user(id: $id) { recommendations(first: 20) { source modelVersion edges { node { id } } } } }`,
    { id: PERSON },
    await bearer({ sub: PERSON }),
  );
  expect(res.errors).toBeUndefined();
  const r = res.data!.user.recommendations;
  return { source: r.source, modelVersion: r.modelVersion, ids: r.edges.map((e) => e.node.id) };
}
async function modelInfo() {
  const res = await gql<{
    modelInfo: { status: string; version: string | null; stale: boolean; interactionsSinceTraining: number };
  }>(
    mesh.gateway.url,
    '{ modelInfo { status version stale interactionsSinceTraining } }',
    {},
    await adminBearer(),
  );
  expect(res.errors).toBeUndefined();
  return res.data!.modelInfo;
}
const updatesFor = (userId: string) =>
  seen.filter(
    (e): e is CatalogEvent<'recommendations.updated'> =>
      e.type === 'recommendations.updated' && e.userId === userId,
  );

describe('the closed loop through the gateway', () => {
  it('drops a hidden item from the next recommendations and announces recommendations.updated', async () => {
    const before = await waitFor(recommendations, (r) => r.ids.length > 0);
    const hidden = before.ids[0]!;
    const res = await gql<{ submitFeedback: { duplicate: boolean } }>(
      mesh.gateway.url,
      'mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) { duplicate } }',
      {
        input: {
          clientId: `loop-hide-${Date.now()}`,
          userId: PERSON,
          target: { type: 'ITEM', id: hidden },
          kind: 'HIDE',
        },
      },
      await bearer({ sub: PERSON }),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.submitFeedback.duplicate).toBe(false);
    // Feedback -> bus -> recommendation's consumer: the first read after it is applied leaves it out.
    const after = await waitFor(recommendations, (r) => !r.ids.includes(hidden));
    expect(after.ids.length).toBeGreaterThan(0);
    await waitFor(
      () => updatesFor(PERSON),
      (u) => u.some((e) => e.data.reason === 'HIDDEN'),
    );
    expect(updatesFor(PERSON).at(-1)!.key).toEqual({ __typename: 'User', id: PERSON });
    // It stays out.
    expect((await recommendations()).ids).not.toContain(hidden);
  }, 240_000);

  it('serves a retrained model without a restart and announces it', async () => {
    type Update = {
      recommendationsUpdated: {
        reason: string;
        modelVersion: string | null;
        user: { recommendations: { modelVersion: string | null; edges: { node: { id: string } }[] } };
      };
    };
    const client = wsClient(mesh.gateway.url, await bearer({ sub: PERSON }));
    const live = subscribeWs<Update>(
      client,
      `subscription($u: ID!) { recommendationsUpdated(userId: $u) {
        reason modelVersion user { recommendations(first: 5) { modelVersion edges { node { id } } } }
      } }`,
      { u: PERSON },
    );
    const before = await modelInfo();
    expect(before).toMatchObject({ status: 'NO_MODEL', version: null, stale: true });
    const result = await retrainModel(rec, {
      modelsDir,
      retrainAfterInteractions: rec.settings.retrainAfterInteractions,
      epochs: 2,
      evalEvery: 1,
      hidden: 16,
      maxLen: 10,
    });
    expect(result.status).toBe('trained');
    if (result.status !== 'trained') return;
    expect(result.users).toBeGreaterThan(0);

    const info = await waitFor(modelInfo, (i) => i.version === result.version);
    // The count starts again with the new version (the demo world's events may still be arriving).
    expect(info).toMatchObject({ status: 'SERVING', stale: false });
    expect(info.interactionsSinceTraining).toBeLessThan(rec.settings.retrainAfterInteractions);
    await waitFor(
      () => seen,
      (s) => s.some((e) => e.type === 'model.updated' && e.data.version === result.version),
    );
    // The person was active (feedback, reads) and has a history: told their recommendations changed.
    const update = await waitFor(
      () => updatesFor(PERSON),
      (u) => u.some((e) => e.data.reason === 'MODEL' && e.data.modelVersion === result.version),
    );
    expect(update.length).toBeGreaterThan(0);
    const recs = await waitFor(recommendations, (r) => r.modelVersion === result.version);
    expect(recs.ids.length).toBeGreaterThan(0);
    // The subscriber got it too, with the list the new model serves, resolved through the graph.
    const isModelUpdate = (p: (typeof live.received.payloads)[number]) =>
      p.data?.recommendationsUpdated.reason === 'MODEL' &&
      p.data.recommendationsUpdated.modelVersion === result.version;
    await live.received.until(
      (r) => r.payloads.some(isModelUpdate),
      60_000,
      'recommendationsUpdated (MODEL)',
    );
    const pushed = live.received.payloads.find(isModelUpdate)!;
    expect(pushed.errors).toBeUndefined();
    expect(pushed.data!.recommendationsUpdated.user.recommendations.modelVersion).toBe(result.version);
    expect(pushed.data!.recommendationsUpdated.user.recommendations.edges.length).toBeGreaterThan(0);
    live.stop();
    await client.dispose();
  }, 240_000);
});
