import type { AdsRuntime } from '../runtime.js';

/**
 * Erasure of one user in ads: their exposures (frequency caps), attention curve and consent go; the
 * decision log and the ledger's ad events keep what accounting and off-policy evaluation need (ad,
 * campaign, placement, prices, charges, propensities) with the user id removed. Spend, delivery rollups,
 * ad stats and placement attention are aggregates without user ids and stay; seen-signal keys are event
 * and feedback ids. The `userId` filters scan on the embedded database: an erasure job, not a request
 * path. Idempotent. Returns the documents deleted or anonymised.
 */
export async function eraseUserAds(models: AdsRuntime, userId: string): Promise<number> {
  const rt = models.ads;
  const deleted = await Promise.all([
    rt.exposures.erase(userId),
    rt.userAttention.erase(userId),
    rt.consents.erase(userId),
  ]);
  const decisions = await models.Decision.updateMany({ userId }, { $set: { userId: null } });
  const adEvents = await models.AdEvent.updateMany({ userId }, { $set: { userId: null } });
  return deleted.reduce((a, b) => a + b, 0) + decisions.modifiedCount + adEvents.modifiedCount;
}
