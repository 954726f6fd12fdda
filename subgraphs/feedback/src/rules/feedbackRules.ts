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

/** Throws BAD_USER_INPUT naming the field when the signal is inconsistent; returns its occurredAt. */
export function checkFeedback(input: FeedbackSignal, now: number): number {
  checkClientId(input.clientId, 'input.clientId');
  checkClientId(input.userId, 'input.userId');
  checkClientId(input.target.id, 'input.target.id');
  if (input.kind === 'RATING') {
    if (input.rating == null) throw badUserInput('a RATING needs rating (1-5)', 'input.rating');
    checkInt(input.rating, 'input.rating', 1, 5);
  } else if (input.rating != null) {
    throw badUserInput('rating is only for RATING', 'input.rating');
  }
  if (input.kind === 'DWELL') {
    if (input.dwellMs == null) throw badUserInput('a DWELL needs dwellMs', 'input.dwellMs');
    checkInt(input.dwellMs, 'input.dwellMs', 0, MAX_DWELL_MS);
  } else if (input.dwellMs != null) {
    throw badUserInput('dwellMs is only for DWELL', 'input.dwellMs');
  }
  if (input.kind === 'COMPLAINT' && input.reason == null)
    throw badUserInput('a COMPLAINT needs a reason', 'input.reason');
  if (input.kind !== 'COMPLAINT' && input.reason != null)
    throw badUserInput('reason is only for COMPLAINT', 'input.reason');
  if (input.comment != null && input.comment.length > 1000)
    throw badUserInput('comment is over 1,000 characters', 'input.comment');
  const occurredAt = input.occurredAt ?? now;
  if (occurredAt < now - MAX_EVENT_AGE_MS)
    throw badUserInput('occurredAt is more than 7 days ago', 'input.occurredAt');
  if (occurredAt > now + MAX_EVENT_FUTURE_MS)
    throw badUserInput('occurredAt is more than 5 minutes ahead', 'input.occurredAt');
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
] as const;
export type SummaryCounter = (typeof SUMMARY_COUNTERS)[number];

/** The `$inc` a stored signal applies to its target's summary. */
export function summaryIncrement(f: { kind: FeedbackKind; rating: number | null; dwellMs: number | null }) {
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
  return inc;
}
