import { type Caller, type EventBus, insertNew, requireSelf } from '@attention-mesh/platform';
import type { FeedbackDoc } from '../models/index.js';
import { checkFeedback, type FeedbackSignal } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';
import { applyStored } from './applyStored.js';
import { toFeedbackDoc } from './feedbackDoc.js';

/**
 * Stores a signal once per (userId, client id) and adds it to its target's summary. A repeated client
 * id returns the stored signal with `duplicate: true` and counts nothing. A person sends only their own
 * signals (an admin anyone's): checked before anything else. An erased user id is refused
 * (USER_ERASED) and nothing is stored.
 */
export async function submitFeedback(
  runtime: FeedbackRuntime,
  events: EventBus,
  caller: Caller,
  input: FeedbackSignal,
  now = Date.now(),
): Promise<{ feedback: FeedbackDoc; duplicate: boolean }> {
  requireSelf(caller, input.userId, 'this userId');
  await runtime.tombstones.refuseErased(input.userId, 'input.userId');
  const doc = toFeedbackDoc(input, checkFeedback(input, now), now);
  const stored = await insertNew(runtime.Feedback, [doc]);
  if (stored.length === 0) {
    const existing = await runtime.Feedback.findById(doc._id).lean<FeedbackDoc>();
    if (!existing) throw new Error(`feedback ${doc._id} is a duplicate but cannot be read`);
    return { feedback: existing, duplicate: true };
  }
  await applyStored(runtime, events, stored);
  return { feedback: doc, duplicate: false };
}
