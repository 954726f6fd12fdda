import type { CatalogEvent } from '@attention-mesh/platform';
import { MAX_APPLIED, MAX_HIDDEN, MAX_SEQUENCE, type UserSequenceDoc } from '../models/UserSequence.js';

/** What one event does to a user's sequence and to item popularity. */
export interface SequenceChange {
  userId: string;
  /** `ev:<event id>` or `fb:<feedback id>`: a change already applied is skipped. */
  appliedId: string;
  /** Items interacted with, in order (appended to the sequence). */
  append: string[];
  /** Items hidden (never recommended to this user again). */
  hide: string[];
  /** Popularity deltas by item. */
  popularity: { itemId: string; engagedMs: number; interactions: number }[];
}

/**
 * `attention.recorded`: items the user engaged with (engaged time > 0) join the sequence, in the
 * batch's order; their engaged time feeds popularity. Impressions without engagement are not
 * interactions and change nothing.
 */
export function changeFromAttention(event: CatalogEvent<'attention.recorded'>): SequenceChange | null {
  if (!event.userId) return null;
  const items = event.data.targets.filter((t) => t.type === 'ITEM' && t.engagedMs > 0 && t.id);
  return {
    userId: event.userId,
    appliedId: `ev:${event.id}`,
    append: items.map((t) => t.id),
    hide: [],
    popularity: items.map((t) => ({ itemId: t.id, engagedMs: t.engagedMs, interactions: 0 })),
  };
}

const INTERACTIONS = new Set(['CLICK', 'DWELL', 'LIKE', 'RATING', 'CONVERSION']);
const HIDING = new Set(['HIDE', 'DISLIKE', 'COMPLAINT']);

/**
 * `feedback.received` on an ITEM: clicks, dwells, likes, ratings and conversions are interactions
 * (appended, counted); HIDE, DISLIKE and COMPLAINT hide the item from this user. Idempotent by
 * feedback id (the feedback subgraph announces a stored signal at most once per id, but the bus
 * delivers at least once).
 */
export function changeFromFeedback(event: CatalogEvent<'feedback.received'>): SequenceChange | null {
  const { data } = event;
  if (!event.userId || data.targetType !== 'ITEM' || !data.targetId) return null;
  const interaction = INTERACTIONS.has(data.kind);
  const hiding = HIDING.has(data.kind);
  if (!interaction && !hiding) return null;
  return {
    userId: event.userId,
    appliedId: `fb:${data.feedbackId}`,
    append: interaction ? [data.targetId] : [],
    hide: hiding ? [data.targetId] : [],
    popularity: interaction ? [{ itemId: data.targetId, engagedMs: data.dwellMs ?? 0, interactions: 1 }] : [],
  };
}

/**
 * The user document after a change, or null when the change was already applied. Repeats of the item
 * just seen are not appended again (a user re-reading one item is one step of their sequence).
 */
export function applyChange(
  doc: Pick<UserSequenceDoc, 'items' | 'hidden' | 'applied' | 'version'>,
  change: SequenceChange,
  now: number,
): Omit<UserSequenceDoc, '_id'> | null {
  if (doc.applied.includes(change.appliedId)) return null;
  const items = [...doc.items];
  for (const id of change.append) if (items.at(-1) !== id) items.push(id);
  const hidden = [...doc.hidden];
  for (const id of change.hide) if (!hidden.includes(id)) hidden.push(id);
  return {
    items: items.slice(-MAX_SEQUENCE),
    hidden: hidden.slice(-MAX_HIDDEN),
    applied: [...doc.applied, change.appliedId].slice(-MAX_APPLIED),
    version: doc.version + 1,
    updatedAt: now,
  };
}
