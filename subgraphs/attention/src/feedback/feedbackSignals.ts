import type { FeedbackReceivedData } from '@attention-mesh/platform';

/** Most recent feedback ids kept per user, so a redelivered `feedback.received` is folded once. */
export const MAX_APPLIED_FEEDBACK = 200;

/**
 * What a person's explicit feedback adds to their attention profile: the clicks and dwells the
 * feedback subgraph received for them (on items and ads), kept apart from the measured attention
 * events (a client may report the same click both ways; adding them up would count it twice).
 */
export interface FeedbackSignals {
  clicks: number;
  dwells: number;
  dwellMs: number;
  /** Latest `occurredAt` of a folded signal, epoch ms (0 before any). */
  lastAt: number;
}

export interface FeedbackSignalsDoc extends FeedbackSignals {
  /** The user id. */
  _id: string;
  /** Feedback ids folded most recently (idempotency, see MAX_APPLIED_FEEDBACK). */
  applied: string[];
  /** Bumped by every write: writes are conditional on it. */
  version: number;
}

export const NO_SIGNALS: FeedbackSignals = { clicks: 0, dwells: 0, dwellMs: 0, lastAt: 0 };

/** Longest dwell one signal may add (an open tab is not an hour of attention), ms. */
export const MAX_DWELL_MS = 30 * 60_000;

/**
 * The user's signals after one `feedback.received`, or null when it changes nothing: not a CLICK or
 * DWELL (or a DWELL without a positive duration), or already folded (same feedback id). Pure.
 */
export function foldFeedback(
  doc: Omit<FeedbackSignalsDoc, '_id'>,
  data: Pick<FeedbackReceivedData, 'feedbackId' | 'kind' | 'dwellMs' | 'occurredAt'>,
): Omit<FeedbackSignalsDoc, '_id'> | null {
  const dwell = data.kind === 'DWELL' && data.dwellMs !== null && data.dwellMs > 0;
  if (data.kind !== 'CLICK' && !dwell) return null;
  if (doc.applied.includes(data.feedbackId)) return null;
  return {
    clicks: doc.clicks + (data.kind === 'CLICK' ? 1 : 0),
    dwells: doc.dwells + (dwell ? 1 : 0),
    dwellMs: doc.dwellMs + (dwell ? Math.min(MAX_DWELL_MS, Math.round(data.dwellMs!)) : 0),
    lastAt: Math.max(doc.lastAt, Number.isFinite(data.occurredAt) ? data.occurredAt : 0),
    applied: [...doc.applied, data.feedbackId].slice(-MAX_APPLIED_FEEDBACK),
    version: doc.version + 1,
  };
}

/** `AttentionProfile.feedback`: the signals as the API shows them. */
export function feedbackView(s: FeedbackSignals | null) {
  const v = s ?? NO_SIGNALS;
  return {
    clicks: v.clicks,
    dwells: v.dwells,
    dwellSeconds: v.dwellMs / 1000,
    averageDwellSeconds: v.dwells > 0 ? v.dwellMs / v.dwells / 1000 : null,
    lastAt: v.lastAt > 0 ? v.lastAt : null,
  };
}
