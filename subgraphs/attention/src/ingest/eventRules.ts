/** The rules an incoming attention event must satisfy. Pure. */

import {
  isClientId,
  isCountryCode,
  isSlug,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
} from '@attention-mesh/platform';

export const TARGET_TYPES = ['ITEM', 'AD', 'PLACEMENT'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const EVENT_TYPES = [
  'IMPRESSION',
  'VIEW_SEGMENT',
  'ENGAGED_INTERVAL',
  'SCROLL_DEPTH',
  'CLICK',
  'ACTIVITY',
  'VISIBILITY_CHANGE',
  'PAGE_EXIT',
] as const;
export type AttentionEventType = (typeof EVENT_TYPES)[number];

export const DEVICES = ['desktop', 'mobile', 'tablet', 'tv'] as const;

export const MEDIA = ['DISPLAY', 'VIDEO'] as const;

export interface AttentionEventInput {
  clientId: string;
  impressionId?: string | null;
  media?: string | null;
  placementId?: string | null;
  category?: string | null;
  country?: string | null;
  userId?: string | null;
  anonymousId?: string | null;
  sessionId: string;
  target: { type: string; id: string };
  type: string;
  occurredAt: number;
  visibleFraction?: number | null;
  durationMs?: number | null;
  scrollDepth?: number | null;
  visible?: boolean | null;
  device?: string | null;
  viewport?: { width: number; height: number } | null;
  creativeSize?: { width: number; height: number } | null;
}

export interface Rejection {
  code: string;
  message: string;
}

/** Returns why the event cannot be stored, or null when it is good. */
export function rejectionOf(
  e: AttentionEventInput,
  now: number,
  opts: { allowHistorical?: boolean } = {},
): Rejection | null {
  const bad = (code: string, message: string): Rejection => ({ code, message });
  if (!isClientId(e.clientId))
    return bad('INVALID_CLIENT_ID', 'clientId must be 1-64 characters of A-Z, a-z, 0-9, _ . : -');
  if (!e.impressionId)
    return bad('MISSING_IMPRESSION_ID', 'impressionId is required: the view this event belongs to');
  if (!isClientId(e.impressionId)) return bad('INVALID_IMPRESSION_ID', 'impressionId is malformed');
  if (e.media != null && !(MEDIA as readonly string[]).includes(e.media)) {
    return bad('UNKNOWN_MEDIA', `media must be one of ${MEDIA.join(', ')}`);
  }
  if (e.placementId != null && !isClientId(e.placementId))
    return bad('INVALID_PLACEMENT_ID', 'placementId is malformed');
  if (e.category != null && !isSlug(e.category))
    return bad('INVALID_CATEGORY', 'category must be a lower-case slug');
  if (e.country != null && !isCountryCode(e.country))
    return bad('INVALID_COUNTRY', 'country must be an ISO 3166-1 alpha-2 code');
  if (!e.userId && !e.anonymousId) return bad('MISSING_USER', 'userId or anonymousId is required');
  if (e.userId && !isClientId(e.userId)) return bad('INVALID_USER_ID', 'userId is malformed');
  if (e.anonymousId && !isClientId(e.anonymousId))
    return bad('INVALID_ANONYMOUS_ID', 'anonymousId is malformed');
  if (!isClientId(e.sessionId)) return bad('INVALID_SESSION_ID', 'sessionId is malformed');
  if (!(TARGET_TYPES as readonly string[]).includes(e.target.type)) {
    return bad('UNKNOWN_TARGET_TYPE', `target.type must be one of ${TARGET_TYPES.join(', ')}`);
  }
  if (!isClientId(e.target.id)) return bad('INVALID_TARGET_ID', 'target.id is malformed');
  if (!(EVENT_TYPES as readonly string[]).includes(e.type)) {
    return bad('UNKNOWN_EVENT_TYPE', `type must be one of ${EVENT_TYPES.join(', ')}`);
  }
  if (!opts.allowHistorical && e.occurredAt < now - MAX_EVENT_AGE_MS)
    return bad('TOO_OLD', 'occurredAt is more than 7 days ago');
  if (e.occurredAt > now + MAX_EVENT_FUTURE_MS)
    return bad('IN_THE_FUTURE', 'occurredAt is more than 5 minutes ahead');
  if (e.visibleFraction != null && !(e.visibleFraction >= 0 && e.visibleFraction <= 1)) {
    return bad('FRACTION_OUT_OF_RANGE', 'visibleFraction must be within 0..1');
  }
  if (e.scrollDepth != null && !(e.scrollDepth >= 0 && e.scrollDepth <= 1)) {
    return bad('FRACTION_OUT_OF_RANGE', 'scrollDepth must be within 0..1');
  }
  if (e.durationMs != null && e.durationMs < 0)
    return bad('NEGATIVE_DURATION', 'durationMs must not be negative');
  if ((e.type === 'VIEW_SEGMENT' || e.type === 'ENGAGED_INTERVAL') && e.durationMs == null) {
    return bad('MISSING_DURATION', `${e.type} needs durationMs`);
  }
  if (e.type === 'VIEW_SEGMENT' && e.visibleFraction == null) {
    return bad('MISSING_FRACTION', 'VIEW_SEGMENT needs visibleFraction');
  }
  if (e.type === 'SCROLL_DEPTH' && e.scrollDepth == null)
    return bad('MISSING_SCROLL_DEPTH', 'SCROLL_DEPTH needs scrollDepth');
  if (e.device != null && !(DEVICES as readonly string[]).includes(e.device)) {
    return bad('UNKNOWN_DEVICE', `device must be one of ${DEVICES.join(', ')}`);
  }
  for (const [name, size] of [
    ['viewport', e.viewport],
    ['creativeSize', e.creativeSize],
  ] as const) {
    if (size && (size.width <= 0 || size.height <= 0)) return bad('INVALID_SIZE', `${name} must be positive`);
  }
  return null;
}
