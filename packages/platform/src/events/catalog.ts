import { z } from 'zod';
import type { MeshEvent } from './types.js';

/**
 * Every event type of the mesh with its payload, declared once (DESIGN §3, point 3). Producers build
 * events with `meshEvent` (checked here before anything is written), consumers subscribe with
 * `subscribeEvents` (checked here again on delivery; a payload that fails goes to the dead letters).
 *
 * Payload schemas check shape, not business rules: a producer's valid value must never be refused at
 * publish time. Unknown fields are dropped on parse, so a producer may add a field before its
 * consumers read it. Events still retained from before a field existed must keep parsing: give such
 * a field a default (see `placements`).
 *
 * `model.updated`, `recommendations.updated` and `ad.flagged` drive the closed loop and the gateway's
 * subscriptions (DESIGN §3, points 4 and 5).
 */

const epochMs = z.number();

/** `user.created`: the profile fields other subgraphs may need; no name or email (they stay in users). */
const userCreated = z.object({
  country: z.string().nullable(),
  locale: z.string(),
  timezone: z.string(),
  segments: z.array(z.string()),
  createdAt: epochMs,
});

/**
 * `user.consent.changed`: the user's whole consent after the change. Events from different replicas
 * are not ordered among themselves: keep the one with the latest `updatedAt`.
 */
const userConsentChanged = z.object({
  personalization: z.boolean(),
  adsPersonalization: z.boolean(),
  analytics: z.boolean(),
  updatedAt: epochMs,
});

/**
 * `user.erased`: the user (`event.userId`, or the key) asked to be forgotten; every subgraph deletes
 * what it holds of them (`subscribeErasure`). Published by users' `eraseUser`.
 */
const userErased = z.object({});

/**
 * `user.erasure.completed`: one service finished erasing a user (key `{ __typename: 'Erasure', id:
 * <tombstone> }`, no `userId`: the event holds no personal data). `removed`: documents it deleted or
 * anonymised. Consumed by users, which records each service's state; a repeat keeps the first.
 */
const userErasureCompleted = z.object({
  service: z.string(),
  removed: z.number(),
  completedAt: epochMs,
});

const attentionTarget = z.object({
  type: z.enum(['ITEM', 'AD', 'PLACEMENT']),
  id: z.string(),
  engagedMs: z.number(),
});

const placementAttention = z.object({
  id: z.string(),
  impressions: z.number(),
  viewable: z.number(),
  engagedMs: z.number(),
});

/** `attention.recorded`: what other services and live subscribers hear of a batch, one per user. */
const attentionRecorded = z.object({
  events: z.number(),
  impressions: z.number(),
  clicks: z.number(),
  engagedMs: z.number(),
  /** The items and ads the user paid attention to in this batch. */
  targets: z.array(attentionTarget),
  /**
   * What the placements involved measured (impressions, MRC-viewable impressions, engaged time);
   * absent in events published before placements were reported.
   */
  placements: z.array(placementAttention).default([]),
  /** The newest event of the batch, epoch ms. */
  lastEventAt: epochMs,
});

/**
 * `feedback.received`: one stored feedback signal (never sent again for a repeated client id).
 * Consumers that count must deduplicate by `feedbackId`: after a crash between the write and the
 * publish the signal is stored but not announced, never announced twice.
 */
const feedbackReceived = z.object({
  feedbackId: z.string(),
  kind: z.enum(['CLICK', 'DWELL', 'LIKE', 'DISLIKE', 'HIDE', 'RATING', 'COMPLAINT', 'CONVERSION']),
  targetType: z.enum(['ITEM', 'AD']),
  targetId: z.string(),
  rating: z.number().nullable(),
  dwellMs: z.number().nullable(),
  reason: z.string().nullable(),
  occurredAt: epochMs,
});

/** `ad.impression` and `ad.click`: a recorded event of a decision, with what it charged. */
const adEvent = z.object({
  decisionId: z.string(),
  adId: z.string(),
  campaignId: z.string(),
  placementId: z.string(),
  chargedMicros: z.number(),
  viewable: z.boolean(),
});

/**
 * `model.updated`: the recommendation subgraph swapped a newly trained model version in (key
 * `{ __typename: 'Model', id: model }`).
 */
const modelUpdated = z.object({
  model: z.string(),
  version: z.string(),
  trainedAt: epochMs,
  /** When the subgraph started serving it, epoch ms. */
  servedAt: epochMs,
});

/**
 * `recommendations.updated`: what a user would be recommended has changed (key `User`, `userId` set):
 * their sequence changed (`SEQUENCE`: a click, dwell, like or rating appended; `HIDDEN`: an item hidden,
 * disliked or complained about), a new model is served (`MODEL`), or their personalisation consent
 * changed (`CONSENT`: personalised and non-personalised lists differ). Subscribers re-read the
 * recommendations; the event carries no list.
 */
const recommendationsUpdated = z.object({
  reason: z.enum(['SEQUENCE', 'HIDDEN', 'MODEL', 'CONSENT']),
  modelVersion: z.string().nullable(),
  at: epochMs,
});

/**
 * `ad.flagged`: the feedback subgraph found an ad's complaint rate above the configured threshold after
 * the minimum number of impressions (key `Ad`); the ads subgraph pauses the ad until an advertiser
 * member or an admin resumes it. Published once per crossing; a consumer keeps the latest `flaggedAt`.
 */
const adFlagged = z.object({
  adId: z.string(),
  complaints: z.number(),
  impressions: z.number(),
  complaintRate: z.number(),
  threshold: z.number(),
  flaggedAt: epochMs,
});

export const eventCatalog = {
  'user.created': userCreated,
  'user.consent.changed': userConsentChanged,
  'user.erased': userErased,
  'user.erasure.completed': userErasureCompleted,
  'attention.recorded': attentionRecorded,
  'feedback.received': feedbackReceived,
  'ad.impression': adEvent,
  'ad.click': adEvent,
  'ad.flagged': adFlagged,
  'model.updated': modelUpdated,
  'recommendations.updated': recommendationsUpdated,
} as const satisfies Record<string, z.ZodType>;

export type EventType = keyof typeof eventCatalog;
/** The payload of `T` as consumers receive it (defaults applied). */
export type EventData<T extends EventType> = z.output<(typeof eventCatalog)[T]>;
/** The payload of `T` as a producer may give it (fields with a default may be left out). */
export type EventInput<T extends EventType> = z.input<(typeof eventCatalog)[T]>;
/** An event of one of the types `T`, its payload typed by its type (narrow on `event.type`). */
export type CatalogEvent<T extends EventType = EventType> = { [K in T]: MeshEvent<EventData<K>, K> }[T];

export type UserCreatedData = EventData<'user.created'>;
export type UserConsentChangedData = EventData<'user.consent.changed'>;
export type UserErasedData = EventData<'user.erased'>;
export type UserErasureCompletedData = EventData<'user.erasure.completed'>;
export type AttentionRecordedData = EventData<'attention.recorded'>;
export type FeedbackReceivedData = EventData<'feedback.received'>;
export type AdEventData = EventData<'ad.impression' | 'ad.click'>;
export type AdFlaggedData = EventData<'ad.flagged'>;
export type ModelUpdatedData = EventData<'model.updated'>;
export type RecommendationsUpdatedData = EventData<'recommendations.updated'>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}

/** A zod error in one line: `path: message` per issue. */
function reasonOf(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(payload)'}: ${i.message}`)
    .join('; ');
}

export type ParsedEventData<T extends EventType> =
  | { ok: true; data: EventData<T> }
  | { ok: false; reason: string };

/** Checks a payload against its type's schema; the parsed payload, or why it does not match. */
export function parseEventData<T extends EventType>(type: T, data: unknown): ParsedEventData<T> {
  if (!isEventType(type)) return { ok: false, reason: `${JSON.stringify(type)} is not an event type` };
  // Indexing by a generic key loses the link between T and its schema; the map above keeps it.
  const schema = eventCatalog[type] as unknown as z.ZodType<EventData<T>>;
  const parsed = schema.safeParse(data);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, reason: reasonOf(parsed.error) };
}

/** A stored event checked against the catalog: the event with its parsed payload, or the reason it fails. */
export function parseCatalogEvent(
  event: MeshEvent,
): { ok: true; event: CatalogEvent } | { ok: false; reason: string } {
  if (!isEventType(event.type))
    return { ok: false, reason: `${JSON.stringify(event.type)} is not an event type` };
  const parsed = parseEventData(event.type, event.data);
  return parsed.ok ? { ok: true, event: { ...event, data: parsed.data } as CatalogEvent } : parsed;
}
