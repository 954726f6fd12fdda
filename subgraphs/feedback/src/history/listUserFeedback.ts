import { type Caller, paginateById, requireSelf } from '@attention-mesh/platform';
import type { FeedbackDoc } from '../models/index.js';
import type { FeedbackKind } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';

/** A user's signals, newest first, optionally of one kind: the person's own (or an admin's) to read. */
export async function listUserFeedback(
  runtime: FeedbackRuntime,
  caller: Caller,
  userId: string,
  args: { first: number; after?: string | null; kind?: FeedbackKind | null },
) {
  requireSelf(caller, userId, "this user's feedback");
  return paginateById<FeedbackDoc>(runtime.Feedback, args.kind ? { userId, kind: args.kind } : { userId }, {
    ...args,
    order: -1,
  });
}
