import { type EventBus, KeyedLock, meshEvent } from '@attention-mesh/platform';
import type { AdFlagDoc, FeedbackSummaryDoc } from '../models/index.js';
import { complaintRate, type FlagSettings, flagTransition } from '../rules/flagRule.js';

interface ByIdModel<T> {
  findById(id: string): { lean<R = T>(): PromiseLike<R | null> };
  updateOne(filter: { _id: string }, update: object, opts: { upsert: true }): PromiseLike<unknown>;
}

/** The `ad.flagged` of a crossing. */
export function adFlagged(flag: AdFlagDoc, threshold: number) {
  return meshEvent(
    'ad.flagged',
    { __typename: 'Ad', id: flag._id },
    {
      adId: flag._id,
      complaints: flag.complaints,
      impressions: flag.impressions,
      complaintRate: complaintRate(flag) ?? 0,
      threshold,
      flaggedAt: flag.flaggedAt ?? flag.updatedAt,
    },
  );
}

/**
 * Judges an ad's complaint rate after its counts change (a complaint stored, an impression counted)
 * and publishes `ad.flagged` once per crossing of the threshold (see flagTransition). The flag state is
 * kept by ad id and written before the event (`published: false`), then marked published, so a crash
 * in between sends the event at the next check rather than never; checks of one ad take turns.
 */
export class AdFlagger {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly models: { FeedbackSummary: ByIdModel<FeedbackSummaryDoc>; AdFlag: ByIdModel<AdFlagDoc> },
    readonly settings: FlagSettings,
  ) {}

  /** Checks one ad against its stored counts; returns the transition it made, if any. */
  check(adId: string, events: EventBus, now = Date.now()): Promise<'FLAG' | 'CLEAR' | 'RESENT' | null> {
    return this.lock.run([adId], async () => {
      const [summary, flag] = await Promise.all([
        this.models.FeedbackSummary.findById(`AD:${adId}`).lean<FeedbackSummaryDoc>(),
        this.models.AdFlag.findById(adId).lean<AdFlagDoc>(),
      ]);
      const counts = {
        complaints: Number(summary?.complaints) || 0,
        impressions: Number(summary?.impressions) || 0,
      };
      const transition = flagTransition(counts, flag?.flagged ?? false, this.settings);
      if (transition === 'CLEAR') {
        await this.write(adId, { flagged: false, ...counts, published: true, updatedAt: now });
        return 'CLEAR';
      }
      if (transition === 'FLAG') {
        const next: AdFlagDoc = {
          _id: adId,
          flagged: true,
          flaggedAt: now,
          ...counts,
          published: false,
          updatedAt: now,
        };
        await this.write(adId, next);
        await this.publish(next, events);
        return 'FLAG';
      }
      if (flag?.flagged && !flag.published) {
        await this.publish(flag, events);
        return 'RESENT';
      }
      return null;
    });
  }

  private async publish(flag: AdFlagDoc, events: EventBus): Promise<void> {
    await events.publish([adFlagged(flag, this.settings.threshold)]);
    await this.write(flag._id, { published: true });
  }

  private async write(adId: string, set: Partial<AdFlagDoc>): Promise<void> {
    await this.models.AdFlag.updateOne({ _id: adId }, { $set: set }, { upsert: true });
  }
}
