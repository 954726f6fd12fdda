import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type CatalogEvent,
  eventCatalog,
  type FeedbackReceivedData,
  parseCatalogEvent,
} from '../src/events/catalog.js';
import { eventIdTime, meshEvent } from '../src/events/event.js';
import type { MeshEvent } from '../src/events/types.js';

const user = { __typename: 'User', id: 'u1' };
const attention = {
  events: 2,
  impressions: 1,
  clicks: 0,
  engagedMs: 4_000,
  targets: [{ type: 'ITEM' as const, id: 'i1', engagedMs: 4_000 }],
  lastEventAt: 1_700_000_000_000,
};

describe('the event catalog', () => {
  it('declares the event types the mesh publishes, and no others', () => {
    expect(Object.keys(eventCatalog).sort()).toEqual([
      'ad.click',
      'ad.flagged',
      'ad.impression',
      'attention.recorded',
      'feedback.received',
      'model.updated',
      'recommendations.updated',
      'user.consent.changed',
      'user.created',
      'user.erased',
      'user.erasure.completed',
    ]);
  });

  it('builds an event with a checked payload, defaults applied and unknown fields dropped', () => {
    const e = meshEvent('attention.recorded', user, { ...attention, extra: 'dropped' } as typeof attention, {
      userId: 'u1',
      occurredAt: 5,
    });
    expect(eventIdTime(e.id)).not.toBeNull();
    expect(e).toMatchObject({ type: 'attention.recorded', key: user, userId: 'u1', occurredAt: 5 });
    expect(e.data).toEqual({ ...attention, placements: [] });
    expectTypeOf(e.data.placements).toEqualTypeOf<
      { id: string; impressions: number; viewable: number; engagedMs: number }[]
    >();
  });

  it('refuses a payload that does not match its type, before anything is published', () => {
    expect(() =>
      meshEvent('user.consent.changed', user, {
        personalization: true,
        adsPersonalization: false,
        // @ts-expect-error a producer bug the compiler catches
        analytics: 'yes',
        updatedAt: 1,
      }),
    ).toThrow(/user.consent.changed payload does not match the event catalog: analytics: .*boolean/);
    // @ts-expect-error a missing field
    expect(() => meshEvent('user.created', user, {})).toThrow(/country/);
    const wrongKind = { ...feedback(), kind: 'SHRUG' } as unknown as FeedbackReceivedData;
    expect(() => meshEvent('feedback.received', user, wrongKind)).toThrow(/kind/);
    // @ts-expect-error not a type of the catalog
    expect(() => meshEvent('model.retired', user, {})).toThrow(/not an event type/);
  });

  it('parses a stored event, or says why it cannot be handled', () => {
    const stored: MeshEvent = {
      id: 'evt_1',
      type: 'feedback.received',
      occurredAt: 1,
      key: user,
      data: feedback(),
    };
    const ok = parseCatalogEvent(stored);
    expect(ok).toEqual({ ok: true, event: stored });
    const bad = parseCatalogEvent({ ...stored, data: { ...feedback(), rating: '5', targetId: undefined } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^targetId: .*; rating: /);
    expect(parseCatalogEvent({ ...stored, data: null })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/\(payload\)/),
    });
    expect(parseCatalogEvent({ ...stored, type: 'ad.viewed' })).toEqual({
      ok: false,
      reason: '"ad.viewed" is not an event type',
    });
    // Events stored before `placements` existed still parse.
    const old = parseCatalogEvent({ ...stored, type: 'attention.recorded', data: attention });
    expect(old.ok && old.event.type === 'attention.recorded' && old.event.data.placements).toEqual([]);
  });

  it('types a handler by the types it takes', () => {
    const handle = (e: CatalogEvent<'user.created' | 'feedback.received'>) => {
      if (e.type === 'user.created') expectTypeOf(e.data.segments).toEqualTypeOf<string[]>();
      else expectTypeOf(e.data.kind).toEqualTypeOf<FeedbackReceivedData['kind']>();
    };
    handle(meshEvent('feedback.received', user, feedback()));
  });
});

function feedback(): FeedbackReceivedData {
  return {
    feedbackId: 'fbk_1',
    kind: 'LIKE',
    targetType: 'ITEM',
    targetId: 'i1',
    rating: null,
    dwellMs: null,
    reason: null,
    occurredAt: 1,
  };
}
