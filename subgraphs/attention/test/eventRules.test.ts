import {
  MAX_EVENT_AGE_MS as MAX_AGE_MS,
  MAX_EVENT_FUTURE_MS as MAX_FUTURE_MS,
} from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { type AttentionEventInput, rejectionOf } from '../src/ingest/eventRules.js';

const now = Date.UTC(2026, 10, 28, 12);
const base: AttentionEventInput = {
  clientId: 'e1',
  impressionId: 'v1',
  userId: 'u1',
  sessionId: 's1',
  target: { type: 'ITEM', id: 'i1' },
  type: 'IMPRESSION',
  occurredAt: now,
};

describe('attention event rules', () => {
  it('accepts a good event', () => expect(rejectionOf(base, now)).toBeNull());

  it.each([
    [{ target: { type: 'BANNER', id: 'x' } }, 'UNKNOWN_TARGET_TYPE'],
    [{ type: 'HOVER' }, 'UNKNOWN_EVENT_TYPE'],
    [{ occurredAt: now - MAX_AGE_MS - 1 }, 'TOO_OLD'],
    [{ occurredAt: now + MAX_FUTURE_MS + 1 }, 'IN_THE_FUTURE'],
    [{ type: 'VIEW_SEGMENT', visibleFraction: 1.01, durationMs: 10 }, 'FRACTION_OUT_OF_RANGE'],
    [{ type: 'VIEW_SEGMENT', visibleFraction: -0.1, durationMs: 10 }, 'FRACTION_OUT_OF_RANGE'],
    [{ type: 'ENGAGED_INTERVAL', durationMs: -1 }, 'NEGATIVE_DURATION'],
    [{ type: 'ENGAGED_INTERVAL' }, 'MISSING_DURATION'],
    [{ type: 'SCROLL_DEPTH', scrollDepth: 2 }, 'FRACTION_OUT_OF_RANGE'],
    [{ userId: null, anonymousId: null }, 'MISSING_USER'],
    [{ clientId: '' }, 'INVALID_CLIENT_ID'],
    [{ device: 'fridge' }, 'UNKNOWN_DEVICE'],
    [{ impressionId: null }, 'MISSING_IMPRESSION_ID'],
    [{ media: 'AUDIO' }, 'UNKNOWN_MEDIA'],
    [{ category: 'Sports' }, 'INVALID_CATEGORY'],
    [{ country: 'fr' }, 'INVALID_COUNTRY'],
  ] as [Partial<AttentionEventInput>, string][])('rejects %j as %s', (patch, code) => {
    expect(rejectionOf({ ...base, ...patch }, now)?.code).toBe(code);
  });

  it('keeps the edges of the time window', () => {
    expect(rejectionOf({ ...base, occurredAt: now - MAX_AGE_MS }, now)).toBeNull();
    expect(rejectionOf({ ...base, occurredAt: now + MAX_FUTURE_MS }, now)).toBeNull();
    expect(rejectionOf({ ...base, type: 'VIEW_SEGMENT', visibleFraction: 0, durationMs: 0 }, now)).toBeNull();
  });
});
