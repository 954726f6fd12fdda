import {
  type CatalogEvent,
  meshEvent,
  type RunningSubgraph,
  subscribeEvents,
} from '@attention-mesh/platform';
import { callerHeaders, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attentionBreakdown } from '../src/analytics/analytics.js';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/**
 * Erasure in attention, on the real database and bus: `user.erased` deletes everything keyed by the
 * user (in the database and in the memory views, analyst reads included), reports completion, and the user's later events are
 * refused by index while the others of the batch are stored; their late feedback folds nothing.
 */

let sg: RunningSubgraph<AttentionRuntime>;
const done: CatalogEvent<'user.erasure.completed'>[] = [];
let watch: { stop(): Promise<void> };
beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
  watch = subscribeEvents(
    sg.events,
    `test.att-erasure.${Date.now()}`,
    ['user.erasure.completed'],
    async (e) => {
      done.push(e);
    },
  );
});
afterAll(async () => {
  await watch?.stop();
  await sg?.stop();
});

const GONE = `u-att-gone-${Date.now()}`;
const KEPT = `u-att-kept-${Date.now()}`;
const RECORD = `mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted rejected { index code } } }`;
const event = (userId: string, n: number) => ({
  clientId: `${userId}-e${n}`,
  impressionId: `${userId}-imp`,
  sessionId: 's1',
  userId,
  target: { type: 'ITEM', id: 'att-erase-item' },
  category: 'news',
  type: n === 0 ? 'IMPRESSION' : 'CLICK',
  occurredAt: new Date().toISOString(),
});
async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function documentsOf(userId: string): Promise<string[]> {
  const db = sg.connection.db!;
  const found: string[] = [];
  for (const { name } of await db.listCollections().toArray())
    for (const doc of await db.collection(name).find({}).toArray())
      if (JSON.stringify(doc).includes(userId)) found.push(`${name}:${String(doc._id)}`);
  return found;
}

describe('attention erasure', () => {
  it('deletes the user everywhere, reports it, then refuses their events by index', async () => {
    for (const userId of [GONE, KEPT]) {
      await sg.events.publish([
        meshEvent(
          'user.consent.changed',
          { __typename: 'User', id: userId },
          { personalization: true, adsPersonalization: true, analytics: true, updatedAt: Date.now() },
          { userId },
        ),
      ]);
      const res = await gql<{ recordAttention: { accepted: number } }>(
        sg.url,
        RECORD,
        { e: [event(userId, 0), event(userId, 1)] },
        callerHeaders(TEST_CALLERS.person(userId)),
      );
      expect(res.data!.recordAttention.accepted).toBe(2);
    }
    await sg.runtime.projection.idle();
    await waitFor(async () => (await documentsOf(GONE)).some((d) => d.startsWith('attention_profiles:')));
    expect(sg.runtime.memory.profiles.getMany([GONE])?.[0] ?? 'off').not.toBeNull();

    await sg.events.publish([
      meshEvent('user.erased', { __typename: 'User', id: GONE }, {}, { userId: GONE }),
    ]);
    await waitFor(() => done.some((e) => e.data.service === 'attention'));
    const report = done.find((e) => e.data.service === 'attention')!;
    expect(report.key.id).toBe(sg.runtime.tombstones.hashOf(GONE));
    expect(report.data.removed).toBeGreaterThanOrEqual(5);
    expect(await documentsOf(GONE)).toEqual([]);
    expect(await documentsOf(KEPT)).not.toEqual([]);
    expect(sg.runtime.memory.profiles.getMany([GONE])?.[0] ?? null).toBeNull();
    // Analyst reads come from the rollups held in memory: the user's are gone there too.
    expect(sg.runtime.memory.rollups.active).toBe(true);
    const byUser = await attentionBreakdown(sg.runtime, TEST_CALLERS.admin, {
      by: 'USER',
      metric: 'EVENTS',
      from: Date.now() - 3_600_000,
      to: Date.now() + 3_600_000,
      first: 100,
    });
    expect(byUser.map((r) => r.key)).toEqual([KEPT]);

    const after = await gql<{
      recordAttention: { accepted: number; rejected: { index: number; code: string }[] };
    }>(sg.url, RECORD, { e: [event(KEPT, 2), event(GONE, 2)] }, callerHeaders(TEST_CALLERS.admin));
    expect(after.data!.recordAttention).toEqual({
      accepted: 1,
      rejected: [{ index: 1, code: 'USER_ERASED' }],
    });
    // Late feedback of the erased user folds nothing.
    await sg.events.publish([
      meshEvent(
        'feedback.received',
        { __typename: 'Item', id: 'att-erase-item' },
        {
          feedbackId: `${GONE}-fb`,
          kind: 'CLICK',
          targetType: 'ITEM',
          targetId: 'att-erase-item',
          rating: null,
          dwellMs: null,
          reason: null,
          occurredAt: Date.now(),
        },
        { userId: GONE },
      ),
    ]);
    await waitFor(async () =>
      (await sg.events.lag()).some((l) => l.consumer === 'attention.feedback' && l.pending === 0),
    );
    await sg.runtime.projection.idle();
    expect(await documentsOf(GONE)).toEqual([]);
  });
});
