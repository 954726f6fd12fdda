import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatePolicy, recUnit } from '@attention-mesh/ml/training';
import { type FeedbackReceivedData, meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import { callerHeaders, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportDecisions } from '../src/recommend/decisionExport.js';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'rec-decisions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 30 items, 10 users who each saw 3 of them: popularity ranks the rest. */
async function start(env: Record<string, string> = {}) {
  const sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'), { env });
  const { importSequences } = await import('../src/sequences/importSequences.js');
  const file = join(dir, `seq-${Math.random()}.txt`);
  const lines: string[] = [];
  for (let u = 0; u < 10; u++)
    for (let t = 0; t < 3; t++) lines.push(`u${u} g${((u * 3 + t * 7) % 30) + 1}\n`);
  for (let i = 1; i <= 30; i++) for (let k = 0; k < i % 5; k++) lines.push(`x${i}-${k} g${i}\n`);
  writeFileSync(file, lines.join(''));
  await importSequences(sg.runtime, file, { titlePrefix: 'item', category: 'games' });
  await sg.runtime.reloadState();
  return sg;
}

const RECS = `query($r: [_Any!]!, $first: Int!) {
  _entities(representations: $r) { ... on User { recommendations(first: $first) {
    edges { position score node { id } }
  } } }
}`;
async function page(sg: RunningSubgraph<RecommendationRuntime>, userId: string, first = 5) {
  const res = await gql<{
    _entities: { recommendations: { edges: { position: number; node: { id: string } }[] } }[];
  }>(
    sg.url,
    RECS,
    { r: [{ __typename: 'User', id: userId }], first },
    callerHeaders(TEST_CALLERS.person(userId)),
  );
  expect(res.errors).toBeUndefined();
  return res.data!._entities[0]!.recommendations.edges;
}

const feedback = (userId: string, feedbackId: string, kind: FeedbackReceivedData['kind'], itemId: string) =>
  meshEvent(
    'feedback.received',
    { __typename: 'Feedback', id: feedbackId },
    {
      feedbackId,
      kind,
      targetType: 'ITEM',
      targetId: itemId,
      rating: null,
      dwellMs: null,
      reason: null,
      occurredAt: Date.now(),
    },
    { userId },
  );

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function exported(sg: RunningSubgraph<RecommendationRuntime>) {
  const lines: string[] = [];
  const counts = await exportDecisions(
    sg.runtime.decisions.models,
    (l) => {
      lines.push(l);
    },
    { windowMs: sg.runtime.settings.rewardWindowMs },
  );
  return { counts, records: lines.map((l) => JSON.parse(l)) };
}

describe('the recommendation decision log', () => {
  describe('without exploration', () => {
    let sg: RunningSubgraph<RecommendationRuntime>;
    beforeAll(async () => {
      sg = await start();
    });
    afterAll(() => sg?.stop());

    it('logs the served page with propensity 1, joins a click to it once, and exports it', async () => {
      const edges = await page(sg, 'u1');
      expect(edges).toHaveLength(5);
      await sg.runtime.decisions.flush();
      const docs = await sg.runtime.decisions.models.RecDecision.find({ userId: 'u1' }).lean();
      expect(docs).toHaveLength(1);
      expect(docs[0]!.slots.map((s) => [s.position, s.itemId, s.propensity, s.explored])).toEqual(
        edges.map((e) => [e.position, e.node.id, 1, false]),
      );
      const clicked = edges[1]!.node.id;
      // A click twice (redelivery), a like on an item never shown, a hide (not a reward).
      const click = feedback('u1', 'f1', 'CLICK', clicked);
      await sg.events.publish([
        click,
        click,
        feedback('u1', 'f2', 'LIKE', 'g999'),
        feedback('u1', 'f3', 'HIDE', clicked),
      ]);
      await waitFor(async () => (await sg.runtime.decisions.models.RecReward.countDocuments()) === 2);
      const reward = await sg.runtime.decisions.models.RecReward.findById('fb:f1').lean();
      expect(reward).toMatchObject({ userId: 'u1', itemId: clicked, decisionId: docs[0]!._id, position: 2 });
      expect(
        (await sg.runtime.decisions.models.RecReward.findById('fb:f2').lean())?.decisionId ?? null,
      ).toBeNull();

      const { counts, records } = await exported(sg);
      expect(counts).toMatchObject({ decisions: 1, slots: 5, rewards: 1, explored: 0 });
      expect(records[0]).not.toHaveProperty('userId');
      expect(records[0].slots.map((s: { reward: number }) => s.reward)).toEqual([0, 1, 0, 0, 0]);
      // Export → estimators: the logging policy and the greedy one are the same here, CTR 1/5.
      const report = evaluatePolicy(records.map((r) => recUnit('greedy', r, new Map())));
      expect(report.estimates.ips.value).toBeCloseTo(0.2, 12);
      expect(report.observed.value).toBeCloseTo(0.2, 12);
    });

    it('joins a reward the process did not see the decision of, at export, and erases a user', async () => {
      await page(sg, 'u2');
      await sg.runtime.decisions.flush();
      const doc = (await sg.runtime.decisions.models.RecDecision.find({ userId: 'u2' }).lean())[0]!;
      // As if stored by another replica: the consumer cannot join it, the export does.
      await sg.runtime.decisions.models.RecReward.create({
        _id: 'fb:other',
        userId: 'u2',
        itemId: doc.slots[0]!.itemId,
        kind: 'DWELL',
        at: doc.at + 1000,
        decisionId: null,
        position: null,
      });
      const { records } = await exported(sg);
      const mine = records.find((r: { id: string }) => r.id === doc._id);
      expect(mine.slots[0].reward).toBe(1);
      await sg.events.publish([
        meshEvent('user.erased', { __typename: 'User', id: 'u2' }, {}, { userId: 'u2' }),
      ]);
      const { RecDecision, RecReward } = sg.runtime.decisions.models;
      await waitFor(
        async () =>
          (await RecDecision.countDocuments({ userId: 'u2' })) +
            (await RecReward.countDocuments({ userId: 'u2' })) ===
          0,
      );
      expect(sg.runtime.decisions.recentFor('u2')).toEqual([]);
    });
  });

  describe('with exploration (REC_EXPLORATION_EPSILON 0.5)', () => {
    let sg: RunningSubgraph<RecommendationRuntime>;
    beforeAll(async () => {
      sg = await start({ REC_EXPLORATION_EPSILON: '0.5' });
    });
    afterAll(() => sg?.stop());

    it('serves explored items with their per-position propensities', async () => {
      const served: string[][] = [];
      for (let u = 0; u < 10; u++) served.push((await page(sg, `u${u}`)).map((e) => e.node.id));
      await sg.runtime.decisions.flush();
      const docs = await sg.runtime.decisions.models.RecDecision.find().lean();
      expect(docs).toHaveLength(10);
      let explored = 0;
      for (const d of docs) {
        const u = Number(d.userId.slice(1));
        expect(d.slots.map((s) => s.itemId)).toEqual(served[u]);
        expect(new Set(served[u]).size).toBe(5);
        for (const s of d.slots) {
          if (s.explored) {
            explored++;
            expect(s.itemId).not.toBe(s.greedyItemId);
            expect(s.propensity).toBeCloseTo(0.5 / s.pool, 12);
          } else {
            expect(s.itemId).toBe(s.greedyItemId);
            expect(s.propensity).toBe(s.pool > 0 ? 0.5 : 1);
          }
        }
      }
      // The exposure window (read by the fairness audit) holds what was shown, explored slots included.
      const window = [...sg.runtime.exposure.served()].map((s) => `${s.rank}:${s.itemId}`).sort();
      expect(window).toEqual(served.flatMap((ids) => ids.map((id, i) => `${i + 1}:${id}`)).sort());
      // 50 positions at 0.5: some explored, some not.
      expect(explored).toBeGreaterThan(5);
      expect(explored).toBeLessThan(45);
    });
  });
});
