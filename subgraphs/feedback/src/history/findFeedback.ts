import { type Caller, checkClientId, isAdmin, requireSelf } from '@attention-mesh/platform';
import type { FeedbackLoaders } from '../loaders.js';
import type { FeedbackDoc } from '../models/index.js';

/**
 * One signal, for the person who sent it (or an admin). Anyone else gets FORBIDDEN, whether the signal
 * exists or not, so its existence is not told either; a missing signal is null for an admin only.
 */
export async function findFeedback(
  loaders: FeedbackLoaders,
  caller: Caller,
  id: string,
): Promise<FeedbackDoc | null> {
  const feedback = await loaders.feedback.load(checkClientId(id, 'id'));
  if (!feedback && isAdmin(caller)) return null;
  requireSelf(caller, feedback?.userId, 'this feedback');
  return feedback ?? null;
}
