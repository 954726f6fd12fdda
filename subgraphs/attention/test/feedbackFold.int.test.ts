import { type FeedbackReceivedData, meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import { callerHeaders, errorCodes, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/** `feedback.received` folded into `User.attention.feedback`, on the real database and bus. */

let sg: RunningSubgraph<AttentionRuntime>;
beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
});
afterAll(async () => {
  await sg?.stop();
});

const PROFILE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { attention {
  clicks feedback { clicks dwells dwellSeconds averageDwellSeconds lastAt } } } } }`;
interface Signals {
  clicks: number;
  dwells: number;
  dwellSeconds: number;
  averageDwellSeconds: number | null;
  lastAt: string | null;
}
async function profile(userId: string, as = userId) {
  return gql<{ _entities: { attention: { clicks: number; feedback: Signals } }[] }>(
    sg.url,
    PROFILE,
    { r: [{ __typename: 'User', id: userId }] },
    callerHeaders(TEST_CALLERS.person(as)),
  );
}
async function signals(userId: string): Promise<Signals> {
  const res = await profile(userId);
  expect(res.errors).toBeUndefined();
  return res.data!._entities[0]!.attention.feedback;
}
async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
const at = Date.parse('2026-11-02T10:00:00.000Z');
function feedback(
  userId: string,
  feedbackId: string,
  kind: FeedbackReceivedData['kind'],
  dwellMs: number | null = null,
) {
  return meshEvent(
    'feedback.received',
    { __typename: 'Item', id: 'fold-item' },
    {
      feedbackId,
      kind,
      targetType: 'ITEM',
      targetId: 'fold-item',
      rating: kind === 'RATING' ? 5 : null,
      dwellMs,
      reason: null,
      occurredAt: at,
    },
    { userId },
  );
}
const suffix = Date.now().toString(36);

describe('attention: feedback folded into profiles', () => {
  it('adds click and dwell feedback once per feedback id, visible through User.attention', async () => {
    const user = `fold-${suffix}`;
    expect(await signals(user)).toEqual({
      clicks: 0,
      dwells: 0,
      dwellSeconds: 0,
      averageDwellSeconds: null,
      lastAt: null,
    });
    await sg.events.publish([
      feedback(user, `${suffix}-1`, 'CLICK'),
      feedback(user, `${suffix}-2`, 'DWELL', 20_000),
      feedback(user, `${suffix}-3`, 'DWELL', 10_000),
      feedback(user, `${suffix}-4`, 'RATING'),
      feedback(user, `${suffix}-5`, 'LIKE'),
    ]);
    // Redelivered (a new event id, the same feedback): folded once.
    await sg.events.publish([
      feedback(user, `${suffix}-1`, 'CLICK'),
      feedback(user, `${suffix}-2`, 'DWELL', 20_000),
    ]);
    await sg.events.publish([feedback(user, `${suffix}-6`, 'CLICK')]);
    await waitFor(async () => (await signals(user)).clicks === 2);
    expect(await signals(user)).toEqual({
      clicks: 2,
      dwells: 2,
      dwellSeconds: 30,
      averageDwellSeconds: 15,
      lastAt: new Date(at).toISOString(),
    });
    // Measured attention is untouched (no attention events were recorded).
    expect((await profile(user)).data!._entities[0]!.attention.clicks).toBe(0);
    // Another person cannot read them.
    expect(errorCodes(await profile(user, 'someone-else'))).toEqual(['FORBIDDEN']);
  });

  it('folds nothing for a user who withdrew analytics consent', async () => {
    const user = `fold-noconsent-${suffix}`;
    const witness = `fold-witness-${suffix}`;
    await sg.events.publish([
      meshEvent(
        'user.consent.changed',
        { __typename: 'User', id: user },
        { personalization: true, adsPersonalization: false, analytics: false, updatedAt: Date.now() },
        { userId: user },
      ),
    ]);
    await waitFor(async () => (await sg.runtime.Consent.findById(user).lean())?.analytics === false);
    await sg.events.publish([
      feedback(user, `${suffix}-nc`, 'CLICK'),
      feedback(witness, `${suffix}-w`, 'CLICK'),
    ]);
    // The witness's event comes after the refused one on the same consumer: once it is folded, the other was handled.
    await waitFor(async () => (await signals(witness)).clicks === 1);
    expect((await signals(user)).clicks).toBe(0);
  });
});
