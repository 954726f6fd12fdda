import type { UserSequenceDoc, UserSequenceModel } from '../models/UserSequence.js';

/**
 * Every stored user's sequence with at least two items (one training pair), oldest item first: a batch
 * job's scan of the collection (never on a request path). Hidden items stay out of the sequences
 * already (a hide appends nothing).
 */
export async function sequencesForTraining(
  model: UserSequenceModel,
): Promise<{ users: string[]; sequences: string[][]; interactions: number }> {
  const users: string[] = [];
  const sequences: string[][] = [];
  let interactions = 0;
  for await (const raw of model.find({}, { items: 1 }).lean().cursor()) {
    const doc = raw as Pick<UserSequenceDoc, '_id' | 'items'>;
    const items = doc.items ?? [];
    if (items.length < 2) continue;
    users.push(doc._id);
    sequences.push(items);
    interactions += items.length;
  }
  return { users, sequences, interactions };
}
