import {
  badUserInput,
  type Caller,
  checkFirst,
  decodeCursor,
  encodeCursor,
  requireSelf,
} from '@attention-mesh/platform';
import type { FeedbackLoaders } from '../loaders.js';
import type { FeedbackDoc } from '../models/index.js';
import type { FeedbackKind } from '../rules/feedbackRules.js';
import { type UserFeedbackIndex, userIndexKey } from './userFeedbackIndex.js';

/**
 * A user's signals, newest first, optionally of one kind: the person's own (or an admin's) to read.
 * From the user's index document (by `_id`) and then each signal by `_id`: nothing scans. Lists the
 * most recent `index.size` signals (overall, or of the kind). The cursor is a signal id: a page stays
 * right when newer signals arrive in between; a cursor no longer in the index is BAD_USER_INPUT.
 */
export async function listUserFeedback(
  index: UserFeedbackIndex,
  loaders: FeedbackLoaders,
  caller: Caller,
  userId: string,
  args: { first: number; after?: string | null; kind?: FeedbackKind | null },
) {
  requireSelf(caller, userId, "this user's feedback");
  const first = checkFirst(args.first);
  const ids = await index.read(userIndexKey(userId, args.kind));
  let start = 0;
  if (args.after) {
    const at = ids.indexOf(decodeCursor(args.after));
    if (at < 0)
      throw badUserInput('"after" is not a signal of this list (or no longer among its newest)', 'after');
    start = at + 1;
  }
  const pageIds = ids.slice(start, start + first);
  const docs = (await loaders.feedback.loadMany(pageIds)).filter(
    (d): d is FeedbackDoc => d != null && !(d instanceof Error),
  );
  const edges = docs.map((node) => ({ cursor: encodeCursor(node._id), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: ids.length > start + first,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
