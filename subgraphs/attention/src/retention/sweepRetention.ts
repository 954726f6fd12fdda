import type { AttentionProfileDoc } from '../models/index.js';
import type { AttentionRuntime } from '../runtime.js';
import { profileHoursCutoff, retentionCutoff, staleHourPaths } from './retentionRules.js';

export interface RetentionResult {
  /** Events, views and sessions from before this hour (epoch ms) are gone. */
  sweptBefore: number;
  events: number;
  views: number;
  sessions: number;
  /** Privacy units' consumption (user-days, see privacy/dpDays.ts) of days before the cutoff. */
  userDays: number;
  /** Profiles whose hour map lost entries, and how many entries. */
  profiles: number;
  hourEntries: number;
  ms: number;
}

/** Updates sent in one bulk write (the embedded database hangs on large update commands). */
const WRITE_BATCH = 50;

/**
 * The retention sweep: raw events older than `retentionDays`, view states not updated since, and
 * sessions stored before are deleted; profiles' hour maps lose the hours the predictions no longer read.
 * Rollups, totals and the rest of the profiles are aggregates and stay. Range deletes and a walk over
 * the profiles scan their collections on the embedded database: a batch job, never a request's work.
 *
 * The cutoff is recorded before anything is deleted, so a rebuild (recovery.ts) that follows, even after
 * a sweep stopped half way, keeps the rollups of the swept hours and totals stay exact (see rebuild.ts).
 */
export async function sweepRetention(
  runtime: AttentionRuntime,
  opts: { retentionDays: number; now?: number },
): Promise<RetentionResult> {
  const started = Date.now();
  const now = opts.now ?? started;
  const state = await runtime.RetentionState.findById('retention').lean();
  const sweptBefore = Math.max(state?.sweptBefore ?? 0, retentionCutoff(now, opts.retentionDays));
  if (sweptBefore !== state?.sweptBefore)
    await runtime.RetentionState.updateOne(
      { _id: 'retention' },
      { $set: { sweptBefore, updatedAt: now } },
      { upsert: true },
    );
  const events = await runtime.AttentionEvent.deleteMany({ occurredAt: { $lt: sweptBefore } });
  const views = await runtime.AttentionView.deleteMany({ updatedAt: { $lt: sweptBefore } });
  const sessions = await runtime.AttentionSession.deleteMany({ at: { $lt: sweptBefore } });
  const userDays = await runtime.dpDays.sweep(sweptBefore);
  const pruned = await pruneProfileHours(runtime, profileHoursCutoff(now));
  return {
    sweptBefore,
    events: events.deletedCount,
    views: views.deletedCount,
    sessions: sessions.deletedCount,
    userDays,
    ...pruned,
    ms: Date.now() - started,
  };
}

/**
 * Removes hour-map entries older than `before` from every profile, in the database and in the memory
 * view, while the projection writes nothing (an `$unset` racing an `$inc` on one document loses one of
 * them on the embedded database).
 */
async function pruneProfileHours(
  runtime: AttentionRuntime,
  before: number,
): Promise<{ profiles: number; hourEntries: number }> {
  return runtime.projection.exclusive(async () => {
    const held = runtime.memory.profiles.values();
    const docs: Iterable<AttentionProfileDoc> | AsyncIterable<AttentionProfileDoc> = held
      ? [...held]
      : runtime.AttentionProfile.find({}, { hours: 1 })
          .lean<AttentionProfileDoc>()
          .cursor({ batchSize: 5000 });
    let profiles = 0;
    let hourEntries = 0;
    let writes: { updateOne: { filter: { _id: string }; update: { $unset: Record<string, ''> } } }[] = [];
    const send = async () => {
      if (writes.length > 0) await runtime.AttentionProfile.bulkWrite(writes, { ordered: false });
      writes = [];
    };
    for await (const doc of docs) {
      const stale = staleHourPaths(doc.hours, before);
      if (stale.length === 0) continue;
      profiles++;
      hourEntries += stale.length;
      writes.push({
        updateOne: {
          filter: { _id: doc._id },
          update: { $unset: Object.fromEntries(stale.map((p) => [p, ''] as const)) },
        },
      });
      runtime.memory.profiles.unset(doc._id, stale);
      if (writes.length >= WRITE_BATCH) await send();
    }
    await send();
    return { profiles, hourEntries };
  });
}
