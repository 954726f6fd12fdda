import { spendDayId } from '../ledger/spendIds.js';
import type { AdsLoaders } from '../loaders.js';
import type { CampaignDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';

/** Where a campaign stands today against its pacing plan. */
export async function campaignPacing(runtime: AdsRuntime, loaders: AdsLoaders, c: CampaignDoc) {
  const rt = runtime.ads;
  await rt.ready();
  const now = Date.now();
  const timezone = rt.catalog.timezoneOf(c.advertiserId);
  const day = rt.days.dayOf(timezone, now);
  // The budget book knows the campaigns this process decides for; the others are read from the ledger.
  const indexed = rt.catalog.index.get(c._id) !== undefined;
  const book = indexed ? rt.book.snapshot(c._id, day.key) : null;
  const spentToday =
    book?.spentToday ?? (await loaders.spend.load(spendDayId(c._id, day.key)))?.spentMicros ?? 0;
  const state = c.pacing === 'ASAP' ? undefined : rt.pacing.get(c._id);
  return {
    day: day.key,
    spentTodayMicros: spentToday,
    reservedMicros: book?.reservedToday ?? 0,
    targetSoFarMicros: rt.targetSoFar(c.pacing, c.dailyBudgetMicros, day.start, now, timezone),
    multiplier: state?.bidMultiplier ?? 1,
    throttle: state ? 1 - state.passRate : 0,
  };
}
