import { type CatalogEvent, meshEvent } from '@attention-mesh/platform';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../src/subscriptions/coalescingQueue.js';
import { LiveSubscription, SLOW_CONSUMER } from '../src/subscriptions/liveSubscription.js';
import type { PreparedSubscription } from '../src/subscriptions/prepareSubscription.js';
import { SUBSCRIBED_EVENT_TYPES, SUBSCRIPTION_FIELDS } from '../src/subscriptions/subscriptionFields.js';

const attention = (userId: string, lastEventAt: number) =>
  meshEvent(
    'attention.recorded',
    { __typename: 'User', id: userId },
    { events: 1, impressions: 1, clicks: 0, engagedMs: 0, targets: [], lastEventAt },
    { userId },
  ) as CatalogEvent;

const feedback = (id: string, targetId: string) =>
  meshEvent(
    'feedback.received',
    { __typename: 'Feedback', id },
    {
      feedbackId: id,
      kind: 'LIKE',
      targetType: 'AD',
      targetId,
      rating: null,
      dwellMs: null,
      reason: null,
      occurredAt: 1_700_000_000_000,
    },
    { userId: 'usr-1' },
  ) as CatalogEvent;

describe('CoalescingQueue', () => {
  it('collapses a pending key into its newest value, keeping its turn, and refuses past capacity', () => {
    const q = new CoalescingQueue<number>(2);
    expect(q.push('a', 1)).toBe(true);
    expect(q.push('b', 2)).toBe(true);
    expect(q.push('a', 3)).toBe(true);
    expect(q.size).toBe(2);
    expect(q.push('c', 4)).toBe(false);
    expect(q.shift()).toBe(3);
    expect(q.shift()).toBe(2);
    expect(q.shift()).toBeUndefined();
  });
});

describe('the Subscription field table', () => {
  it('listens to the catalog types of DESIGN §3 point 4', () => {
    expect([...SUBSCRIBED_EVENT_TYPES].sort()).toEqual(
      [
        'ad.click',
        'ad.impression',
        'attention.recorded',
        'feedback.received',
        'recommendations.updated',
      ].sort(),
    );
  });

  it('matches events by their argument and answers entity stubs', () => {
    const a = attention('usr-7', 1_700_000_000_000);
    expect(SUBSCRIPTION_FIELDS.attentionChanged.matchOf(a)).toBe('usr-7');
    expect(SUBSCRIPTION_FIELDS.attentionChanged.payloadOf(a)).toEqual({
      user: { __typename: 'User', id: 'usr-7' },
      events: 1,
      at: new Date(1_700_000_000_000).toISOString(),
    });
    const f = feedback('fb-1', 'ad-9');
    expect(SUBSCRIPTION_FIELDS.feedbackReceived.matchOf(f)).toBe('ad-9');
    expect(SUBSCRIPTION_FIELDS.feedbackReceived.payloadOf(f)).toMatchObject({
      feedback: { __typename: 'Feedback', id: 'fb-1' },
      target: { __typename: 'Ad', id: 'ad-9' },
    });
    const click = meshEvent(
      'ad.click',
      { __typename: 'Ad', id: 'ad-9' },
      {
        decisionId: 'd',
        adId: 'ad-9',
        campaignId: 'cmp-2',
        placementId: 'p',
        chargedMicros: 5,
        viewable: true,
      },
    ) as CatalogEvent;
    expect(SUBSCRIPTION_FIELDS.campaignDelivery.matchOf(click)).toBe('cmp-2');
    expect(SUBSCRIPTION_FIELDS.campaignDelivery.payloadOf(click)).toMatchObject({
      campaign: { __typename: 'Campaign', id: 'cmp-2' },
      ad: { __typename: 'Ad', id: 'ad-9' },
      kind: 'CLICK',
    });
    expect(SUBSCRIPTION_FIELDS.campaignDelivery.matchOf(a)).toBeUndefined();
  });
});

const prepared = (field: keyof typeof SUBSCRIPTION_FIELDS): PreparedSubscription => {
  const document = parse('subscription { x }');
  return {
    field: SUBSCRIPTION_FIELDS[field],
    argument: 'usr-1',
    document,
    operationName: undefined,
    variables: {},
    denied: new Map(),
    planned: document,
  };
};

describe('LiveSubscription', () => {
  it('resolves queued events in order, an entity burst collapsed into its newest event', async () => {
    const resolved: number[] = [];
    const live = new LiveSubscription({
      prepared: prepared('attentionChanged'),
      queueSize: 4,
      resolve: async (_p, e) => {
        const at = (e.data as { lastEventAt: number }).lastEventAt;
        resolved.push(at);
        return { data: { at } };
      },
      onEnd: () => {},
      onOverflow: () => {
        throw new Error('must not overflow');
      },
    });
    for (let i = 1; i <= 10; i++) live.push(attention('usr-1', i));
    expect(live.pending).toBe(1);
    expect((await live.next()).value).toEqual({ data: { at: 10 } });
    live.push(attention('usr-1', 11));
    expect((await live.next()).value).toEqual({ data: { at: 11 } });
    await live.return();
    expect((await live.next()).done).toBe(true);
  });

  it('holds at most queueSize events, then ends with SLOW_CONSUMER and tells the transport once', async () => {
    let overflows = 0;
    let ended = 0;
    const live = new LiveSubscription({
      prepared: prepared('feedbackReceived'),
      queueSize: 3,
      resolve: async () => ({ data: {} }),
      onEnd: () => {
        ended++;
      },
      onOverflow: (_s, reason) => {
        overflows++;
        expect(reason).toMatch(/slow consumer/);
      },
    });
    for (let i = 0; i < 50; i++) live.push(feedback(`fb-${i}`, 'ad-1'));
    expect(overflows).toBe(1);
    expect(live.pending).toBe(0);
    const last = await live.next();
    expect(last.value?.errors?.[0]?.extensions.code).toBe(SLOW_CONSUMER);
    expect((await live.next()).done).toBe(true);
    expect(ended).toBe(1);
  });
});
