import { type MongoEventBus, meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph, waitFor } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RecommendationRuntime, recommendationSubgraph } from '../src/server.js';

/**
 * Erasure in recommendation against the real embedded database and bus: `user.erased` deletes the
 * user's sequence, decisions and rewards, stores the tombstone and reports completion; an
 * `attention.recorded` of the user delivered afterwards does not recreate the sequence.
 */

let sg: RunningSubgraph<RecommendationRuntime>;
const GONE = 'u-erased-rec';
const user = { __typename: 'User', id: GONE };
const attention = (itemId: string) =>
  meshEvent(
    'attention.recorded',
    user,
    {
      events: 1,
      impressions: 1,
      clicks: 0,
      engagedMs: 5_000,
      targets: [{ type: 'ITEM', id: itemId, engagedMs: 5_000 }],
      lastEventAt: Date.now(),
    },
    { userId: GONE },
  );

beforeAll(async () => {
  sg = await startTestSubgraph(recommendationSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('erasure', () => {
  it('deletes the sequence, decisions and rewards, and drops the user’s later events', async () => {
    const { UserSequence } = sg.runtime;
    const { RecDecision, RecReward } = sg.runtime.decisions.models;
    await sg.events.publish([
      meshEvent(
        'user.created',
        user,
        {
          country: null,
          locale: 'en',
          timezone: 'UTC',
          segments: [],
          createdAt: Date.now(),
        },
        { userId: GONE },
      ),
      attention('i-1'),
    ]);
    await waitFor(
      async () => (await UserSequence.findById(GONE).lean())?.items ?? [],
      (items) => items.length === 1,
    );
    const at = Date.now();
    await RecDecision.create({
      _id: 'd-gone',
      at,
      userId: GONE,
      source: 'POPULAR',
      epsilon: 0,
      slots: [],
      byScore: [],
    });
    await RecReward.create({ _id: 'fb:gone', userId: GONE, itemId: 'i-1', kind: 'CLICK', at });

    await sg.events.publish([meshEvent('user.erased', user, {}, { userId: GONE })]);
    const archive = (sg.events as MongoEventBus).connection.collection('events');
    const done = await waitFor(
      () => archive.findOne({ type: 'user.erasure.completed' }),
      (e) => e !== null,
    );
    expect(done?.data).toMatchObject({ service: 'recommendation', removed: 3 });
    expect(await UserSequence.countDocuments({ _id: GONE })).toBe(0);
    expect(await RecDecision.countDocuments({ userId: GONE })).toBe(0);
    expect(await RecReward.countDocuments({ userId: GONE })).toBe(0);
    expect(await sg.runtime.tombstones.isErased(GONE)).toBe(true);

    // The user's events delivered after the erasure (late or replayed) are dropped; a marker event
    // published after them shows the consumer has passed them.
    await sg.events.publish([attention('i-2'), attention('i-3')]);
    const marker = 'u-marker-rec';
    await sg.events.publish([
      meshEvent(
        'user.created',
        { __typename: 'User', id: marker },
        {
          country: null,
          locale: 'en',
          timezone: 'UTC',
          segments: [],
          createdAt: Date.now(),
        },
        { userId: marker },
      ),
    ]);
    await waitFor(
      () => UserSequence.countDocuments({ _id: marker }),
      (n) => n === 1,
    );
    expect(await UserSequence.countDocuments({ _id: GONE })).toBe(0);
    expect(sg.runtime.users.peek(GONE)).toBeUndefined();

    // A consent announcement delivered after the erasure stores nothing (the consent consumer is its
    // own: the marker's consent, published after, shows it has passed the erased user's).
    const consent = (id: string) =>
      meshEvent(
        'user.consent.changed',
        { __typename: 'User', id },
        { personalization: true, adsPersonalization: true, analytics: true, updatedAt: Date.now() },
        { userId: id },
      );
    await sg.events.publish([consent(GONE), consent(marker)]);
    const { RecConsent } = sg.runtime;
    await waitFor(
      () => RecConsent.countDocuments({ _id: marker }),
      (n) => n === 1,
    );
    expect(await RecConsent.countDocuments({ _id: GONE })).toBe(0);
  });
});
