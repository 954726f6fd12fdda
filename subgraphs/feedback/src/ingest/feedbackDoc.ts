import { createHash } from 'node:crypto';
import type { FeedbackDoc } from '../models/index.js';
import type { FeedbackSignal } from '../rules/feedbackRules.js';

/**
 * A signal's id, derived from its sender and client id: the same (userId, clientId) always gives the
 * same `_id`, so a signal sent twice meets its own duplicate key and is stored and counted once, with
 * no secondary index (the embedded database would scan for one). Two people's client ids never clash.
 */
export function feedbackIdOf(userId: string, clientId: string): string {
  return `fbk_${createHash('sha256').update(`${userId}\n${clientId}`).digest('base64url').slice(0, 27)}`;
}

/** The stored form of a checked signal. Pure. */
export function toFeedbackDoc(input: FeedbackSignal, occurredAt: number, now: number): FeedbackDoc {
  return {
    _id: feedbackIdOf(input.userId, input.clientId),
    clientId: input.clientId,
    userId: input.userId,
    targetType: input.target.type,
    targetId: input.target.id,
    kind: input.kind,
    rating: input.rating ?? null,
    dwellMs: input.dwellMs ?? null,
    reason: input.reason ?? null,
    comment: input.comment ?? null,
    occurredAt,
    receivedAt: now,
  };
}
