import { paginateById } from '@attention-mesh/platform';
import type { FeedbackDoc } from '../models/index.js';
import type { FeedbackKind } from '../rules/feedbackRules.js';
import type { FeedbackRuntime } from '../runtime.js';

/** A user's signals, newest first, optionally of one kind. */
export function listUserFeedback(
  runtime: FeedbackRuntime,
  userId: string,
  args: { first: number; after?: string | null; kind?: FeedbackKind | null },
) {
  return paginateById<FeedbackDoc>(runtime.Feedback, args.kind ? { userId, kind: args.kind } : { userId }, {
    ...args,
    order: -1,
  });
}
