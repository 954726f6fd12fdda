import {
  badUserInput,
  checkClientId,
  checkInt,
  MAX_EVENT_AGE_MS,
  MAX_EVENT_FUTURE_MS,
} from '@attention-mesh/platform';

/** What a feedback signal must carry, and what it adds to its target's summary. Pure. */

export type FeedbackKind =
  | 'CLICK'
  | 'DWELL'
  | 'LIKE'
  | 'DISLIKE'
  | 'HIDE'
  | 'RATING'
  | 'COMPLAINT'
  | 'CONVERSION';
export type FeedbackTargetType = 'ITEM' | 'AD';

/** Every kind, for code that visits each per-kind list (erasure). */
export const FEEDBACK_KINDS: readonly FeedbackKind[] = [
  'CLICK',
  'DWELL',
  'LIKE',
  'DISLIKE',
  'HIDE',
  'RATING',
  'COMPLAINT',
  'CONVERSION',
];

/** The reasons a complaint may give (the SDL's ComplaintReason): a bounded set, one counter each. */
export const COMPLAINT_REASONS = [
  'SPAM',
  'OFFENSIVE',
  'MISLEADING',
  'IRRELEVANT',
  'REPETITIVE',
  'OTHER',
] as const;
export type ComplaintReason = (typeof COMPLAINT_REASONS)[number];
const isComplaintReason = (r: string): r is ComplaintReason =>
  (COMPLAINT_REASONS as readonly string[]).includes(r);

const MAX_DWELL_MS = 24 * 3600 * 1000;

/** A signal as it arrives, before it is checked. */
export interface FeedbackSignal {
  clientId: string;
  userId: string;
  target: { type: FeedbackTargetType; id: string };
  kind: FeedbackKind;
  rating?: number | null;
  dwellMs?: number | null;
  reason?: string | null;
  comment?: string | null;
  occurredAt?: number | null;
}

/**
 * Throws BAD_USER_INPUT naming the field (under `path`: `input`, or `inputs[3]` in a batch) when the
 * signal is inconsistent; returns its occurredAt.
 */
export function checkFeedback(input: FeedbackSignal, now: number, path = 'input'): number {
  checkClientId(input.clientId, `${path}.clientId`);
  checkClientId(input.userId, `${path}.userId`);
  checkClientId(input.target.id, `${path}.target.id`);
  if (input.kind === 'RATING') {
    if (input.rating == null) throw badUserInput('a RATING needs rating (1-5)', `${path}.rating`);
    checkInt(input.rating, `${path}.rating`, 1, 5);
  } else if (input.rating != null) {
    throw badUserInput('rating is only for RATING', `${path}.rating`);
  }
  if (input.kind === 'DWELL') {
    if (input.dwellMs == null) throw badUserInput('a DWELL needs dwellMs', `${path}.dwellMs`);
    checkInt(input.dwellMs, `${path}.dwellMs`, 0, MAX_DWELL_MS);
  } else if (input.dwellMs != null) {
    throw badUserInput('dwellMs is only for DWELL', `${path}.dwellMs`);
  }
  if (input.kind === 'COMPLAINT' && input.reason == null)
    throw badUserInput('a COMPLAINT needs a reason', `${path}.reason`);
  if (input.reason != null && !isComplaintReason(input.reason))
    throw badUserInput(`reason must be one of ${COMPLAINT_REASONS.join(', ')}`, `${path}.reason`);
  if (input.kind !== 'COMPLAINT' && input.reason != null)
    throw badUserInput('reason is only for COMPLAINT', `${path}.reason`);
  if (input.comment != null && input.comment.length > 1000)
    throw badUserInput('comment is over 1,000 characters', `${path}.comment`);
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt < now - MAX_EVENT_AGE_MS)
    throw badUserInput('occurredAt is more than 7 days ago', `${path}.occurredAt`);
  if (occurredAt > now + MAX_EVENT_FUTURE_MS)
    throw badUserInput('occurredAt is more than 5 minutes ahead', `${path}.occurredAt`);
  return occurredAt;
}

/** The totals kept per target. */
export const SUMMARY_COUNTERS = [
  'clicks',
  'likes',
  'dislikes',
  'hides',
  'complaints',
  'conversions',
  'ratingCount',
  'ratingSum',
  'dwellCount',
  'dwellMsSum',
  /** Ads: impressions counted from `ad.impression` events, once per decision. */
  'impressions',
  ...COMPLAINT_REASONS.map((r) => `complaints_${r}` as const),
] as const;
export type SummaryCounter = (typeof SUMMARY_COUNTERS)[number];

/** The counter of complaints of one reason. */
export const reasonCounter = (reason: ComplaintReason) => `complaints_${reason}` as const;

/** The `$inc` a stored signal applies to its target's summary. */
export function summaryIncrement(f: {
  kind: FeedbackKind;
  rating: number | null;
  dwellMs: number | null;
  reason?: string | null;
}) {
  const inc: Partial<Record<SummaryCounter, number>> = {};
  const single: Partial<Record<FeedbackKind, SummaryCounter>> = {
    CLICK: 'clicks',
    LIKE: 'likes',
    DISLIKE: 'dislikes',
    HIDE: 'hides',
    COMPLAINT: 'complaints',
    CONVERSION: 'conversions',
  };
  const counter = single[f.kind];
  if (counter) inc[counter] = 1;
  if (f.kind === 'RATING') Object.assign(inc, { ratingCount: 1, ratingSum: f.rating ?? 0 });
  if (f.kind === 'DWELL') Object.assign(inc, { dwellCount: 1, dwellMsSum: f.dwellMs ?? 0 });
  if (f.kind === 'COMPLAINT' && f.reason && isComplaintReason(f.reason)) inc[reasonCounter(f.reason)] = 1;
  return inc;
}
