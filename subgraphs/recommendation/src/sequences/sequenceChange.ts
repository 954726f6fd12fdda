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

const HIDING = new Set(['HIDE', 'DISLIKE', 'COMPLAINT']);

/** Which feedback counts as a positive interaction (REC_POSITIVE_RATING, REC_POSITIVE_DWELL_MS). */
export interface FeedbackRules {
  /** A RATING of at least this is positive (default 4 of 5). */
  positiveRating: number;
  /** A DWELL of at least this many ms is positive (default 10,000). */
  positiveDwellMs: number;
}

export const DEFAULT_FEEDBACK_RULES: FeedbackRules = { positiveRating: 4, positiveDwellMs: 10_000 };

/**
 * Whether a feedback signal is a positive interaction: every CLICK, LIKE and CONVERSION; a RATING of at
 * least `positiveRating`; a DWELL of at least `positiveDwellMs`. A low rating or a short dwell is not
 * an interaction (nor a hide: it says the user looked and moved on).
 */
export function isPositive(
  data: Pick<CatalogEvent<'feedback.received'>['data'], 'kind' | 'rating' | 'dwellMs'>,
  rules: FeedbackRules,
): boolean {
  switch (data.kind) {
    case 'CLICK':
    case 'LIKE':
    case 'CONVERSION':
      return true;
    case 'RATING':
      return (data.rating ?? 0) >= rules.positiveRating;
    case 'DWELL':
      return (data.dwellMs ?? 0) >= rules.positiveDwellMs;
    default:
      return false;
  }
}

/**
 * `feedback.received` on an ITEM: positive interactions (see `isPositive`) are appended and counted;
 * HIDE, DISLIKE and COMPLAINT hide the item from this user. Idempotent by feedback id (the feedback
 * subgraph announces a stored signal at most once per id, but the bus delivers at least once).
 */
export function changeFromFeedback(
  event: CatalogEvent<'feedback.received'>,
  rules: FeedbackRules = DEFAULT_FEEDBACK_RULES,
): SequenceChange | null {
  const { data } = event;
  if (!event.userId || data.targetType !== 'ITEM' || !data.targetId) return null;
  const interaction = isPositive(data, rules);
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

/**
 * Why an applied change alters the user's recommendations: HIDDEN when it hides an item (the item leaves
 * the list), SEQUENCE when it only appends; null when it does neither (e.g. an attention batch without
 * engaged items).
 */
export function updateReason(change: SequenceChange): 'HIDDEN' | 'SEQUENCE' | null {
  if (change.hide.length > 0) return 'HIDDEN';
  if (change.append.length > 0) return 'SEQUENCE';
  return null;
}
