import type { CounterUpdate, CounterWriter, KeyedLock } from '@attention-mesh/platform';
import type { UserSequenceDoc, UserSequenceModel } from '../models/UserSequence.js';
import type { PopularityRanking } from '../ranking/popularity.js';
import { normalizeUser } from './normalizeUser.js';
import { applyChange, type SequenceChange } from './sequenceChange.js';
import type { UserCache } from './UserCache.js';

export interface SequenceStoreDeps {
  UserSequence: UserSequenceModel;
  users: UserCache;
  userLock: KeyedLock;
  popularityWriter: CounterWriter;
  popularity: PopularityRanking;
}

const EMPTY = { items: [] as string[], hidden: [] as string[], applied: [] as string[], version: 0 };

/**
 * Applies one change to the user's stored sequence: read, change in code, write back on the condition
 * that nobody wrote in between (the version), retried when someone did. A change already applied (same
 * event or feedback id) is skipped, so redelivered events change nothing. Popularity is counted after the
 * sequence write, once per applied change (a crash between the two loses that count, never doubles it).
 * Returns whether the change was applied.
 */
export async function applySequenceChange(deps: SequenceStoreDeps, change: SequenceChange): Promise<boolean> {
  return deps.userLock.run([change.userId], async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const found = (await deps.UserSequence.findById(change.userId).lean()) as UserSequenceDoc | null;
      const doc = found ? normalizeUser(found) : null;
      const next = applyChange(doc ?? EMPTY, change, Date.now());
      if (!next) return false;
      if (!doc) {
        try {
          await deps.UserSequence.create({ _id: change.userId, ...next });
        } catch (err) {
          if ((err as { code?: number }).code === 11000) continue;
          throw err;
        }
      } else {
        const res = await deps.UserSequence.updateOne(
          { _id: change.userId, version: found!.version ?? null },
          { $set: next },
        );
        if (res.matchedCount === 0) continue;
      }
      deps.users.put({ _id: change.userId, ...next });
      if (change.popularity.length > 0) {
        const updates = new Map<string, CounterUpdate>();
        for (const p of change.popularity) {
          deps.popularity.add(p.itemId, { engagedMs: p.engagedMs, interactions: p.interactions });
          updates.set(p.itemId, { $inc: { engagedMs: p.engagedMs, interactions: p.interactions } });
        }
        await deps.popularityWriter.add(updates);
      }
      return true;
    }
    throw new Error(`user ${change.userId}: too many concurrent sequence updates`);
  });
}

/** A user becomes known (e.g. `user.created`) with an empty sequence; an existing one is left as it is. */
export async function ensureUser(model: UserSequenceModel, users: UserCache, userId: string): Promise<void> {
  users.forget(userId);
  await model.updateOne(
    { _id: userId },
    { $setOnInsert: { items: [], hidden: [], applied: [], version: 0, updatedAt: Date.now() } },
    { upsert: true },
  );
}
