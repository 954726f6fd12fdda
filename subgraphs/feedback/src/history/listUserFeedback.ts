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
 * From the user's numbered list (UserFeedbackIndex) and then each signal, all by exact `_id`: nothing
 * scans, however many signals are stored. The cursor is an entry's number: a page stays right when
 * newer signals arrive in between.
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
  const key = userIndexKey(userId, args.kind);
  let start: number;
  if (args.after) {
    const after = Number(decodeCursor(args.after));
    if (!Number.isInteger(after) || after < 1) throw badUserInput('Malformed cursor in "after"', 'after');
    start = after - 1;
  } else {
    start = await index.head(key);
  }
  const last = Math.max(1, start - first + 1);
  const seqs = start >= 1 ? Array.from({ length: start - last + 1 }, (_, i) => start - i) : [];
  const ids = await index.entries(key, seqs);
  const docs = await loaders.feedback.loadMany(ids.map((e) => e.feedbackId));
  const edges = ids.flatMap((e, i) => {
    const node = docs[i];
    return node && !(node instanceof Error)
      ? [{ cursor: encodeCursor(String(e.seq)), node: node as FeedbackDoc }]
      : [];
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: last > 1,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
